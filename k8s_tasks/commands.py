"""The acting commands, ``cancel``, ``retry`` and ``prune``: one line per task (or per batch) on ``out``.

Exit codes of cancel and retry: 0 every task was cancelled (or its cancel requested) / run again; 1 at
least one was not (already finished / not finished, or already run again); 2 at least one id is unknown
(the others are still acted on).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from .actions import cancel_task, retry_described
from .compat import TaskResultDoesNotExist
from .conf import task_databases
from .durations import format_age
from .pruning import cutoff, prune_batches

EXIT_OK, EXIT_NOT_DONE, EXIT_UNKNOWN = 0, 1, 2


def cancel_command(result_ids: Sequence[str], out: TextIO) -> int:
    code = EXIT_OK
    for result_id in result_ids:
        try:
            done = cancel_task(result_id)
        except TaskResultDoesNotExist:
            out.write(f"{result_id}: no such task\n")
            code = max(code, EXIT_UNKNOWN)
            continue
        out.write(f"{result_id}: {done.describe()}\n")
        if done.outcome == "finished":
            code = max(code, EXIT_NOT_DONE)
    return code


def retry_command(result_ids: Sequence[str], out: TextIO) -> int:
    code = EXIT_OK
    for result_id in result_ids:
        try:
            done = retry_described(result_id)
        except TaskResultDoesNotExist:
            out.write(f"{result_id}: no such task\n")
            code = max(code, EXIT_UNKNOWN)
            continue
        out.write(f"{result_id}: {done.describe()}\n")
        if not done.new_id:
            code = max(code, EXIT_NOT_DONE)
    return code


def prune_command(options: Any, out: TextIO) -> int:
    """Delete (or with --dry-run, count) finished tasks older than --older-than, batch by batch."""
    verb = "would delete" if options.dry_run else "deleted"
    statuses = tuple(options.status) or ("SUCCESSFUL", "FAILED")
    for database in task_databases():
        before = cutoff(database, options.older_than)
        out.write(
            f"database {database}: {'counting' if options.dry_run else 'deleting'} {' and '.join(statuses)} "
            f"tasks that finished before {before:%Y-%m-%d %H:%M:%S} UTC "
            f"(older than {format_age(options.older_than)}), {options.batch_size} per batch\n"
        )
        out.flush()
        total, seconds = 0, 0.0
        try:
            batches = prune_batches(
                database, before, statuses=statuses, batch_size=options.batch_size, dry_run=options.dry_run
            )
            for batch in batches:
                total, seconds = batch.total, batch.seconds
                rate = total / seconds if seconds else 0.0
                out.write(
                    f"  {verb} {batch.rows} (total {total}; finished up to {batch.up_to:%Y-%m-%d %H:%M:%S}; "
                    f"{rate:,.0f} rows/s)\n"
                )
                out.flush()
        except ValueError as error:
            out.write(f"k8s-tasks prune: {error}\n")
            return 2
        out.write(f"database {database}: {verb} {total} tasks in {seconds:.2f} s\n")
    return EXIT_OK
