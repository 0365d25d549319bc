"""Deleting finished task rows past an age, in batches: ``manage.py k8s_tasks_prune`` and the operator's
``--prune-after``.

Only SUCCESSFUL and FAILED rows are ever deleted (READY and RUNNING never, whatever is asked), those that
finished before the cutoff (now minus the age, by the database's clock). The rows are walked from the
oldest on the finished_at index, one batch per transaction: a batch's ids are selected in finished_at
order from the previous batch's last finished_at on (keyset: rows left out by a status filter are not read
again), then deleted by id. Ordering by finished_at alone lets both databases read the index in order and
stop at the batch size (ordering by (finished_at, id) made SQLite sort every candidate row for each batch:
90,000 rows took 14 s instead of 4); rows that share the last finished_at are simply selected again by the
next batch, the deleted ones being gone. A long prune never holds a lock for longer than one batch, and can
be stopped at any moment: what is deleted stays deleted, the rest waits for the next run. A dry run counts
the rows in one query.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from .clock import database_now
from .compat import TaskResultStatus
from .models import FINISHED, TaskRecord

DEFAULT_BATCH_SIZE = 1000
MAX_BATCH_SIZE = 10_000  # ids per DELETE ... WHERE id IN (...): keeps each statement and lock short


@dataclass(frozen=True)
class PruneBatch:
    """One batch: its rows deleted (or, in a dry run, that would be), and how far the walk has come."""

    rows: int
    total: int
    """Rows of every batch so far."""
    up_to: datetime
    """The finished_at of the batch's last row: every matching row finished up to then is done."""
    seconds: float
    """Since the first batch started."""


def check_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    """The statuses to prune, each SUCCESSFUL or FAILED (ValueError otherwise); all finished ones if none."""
    chosen = tuple(dict.fromkeys(str(s).upper() for s in statuses)) or tuple(FINISHED)
    wrong = [s for s in chosen if s not in FINISHED]
    if wrong:
        raise ValueError(
            f"cannot prune tasks that are {', '.join(wrong)}: only finished tasks are deleted; choose "
            f"among {', '.join(FINISHED)}"
        )
    return chosen


def cutoff(using: str, older_than: timedelta) -> datetime:
    """The finished_at before which rows are pruned: now by the database's clock, less the age."""
    return database_now(using) - older_than


def prune_batches(
    using: str,
    before: datetime,
    *,
    statuses: Sequence[str] = (),
    backends: Sequence[str] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
) -> Iterator[PruneBatch]:
    """Delete the finished rows of database ``using`` that finished before ``before``, one batch per
    ``next()`` (its own transaction, committed before it is yielded). ``statuses`` narrows the finished
    statuses, ``backends`` the TASKS aliases; ``dry_run`` deletes nothing and yields one "batch": the count
    of what would go."""
    chosen = check_statuses(statuses)
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"the batch size {batch_size} must be from 1 to {MAX_BATCH_SIZE}")
    base = TaskRecord.objects.using(using).filter(finished_at__lt=before, status__in=chosen)
    if backends:
        base = base.filter(backend_name__in=list(backends))
    started = time.monotonic()
    if dry_run:
        count = base.count()
        if count:
            last = base.order_by("-finished_at").values_list("finished_at", flat=True).first()
            assert last is not None
            yield PruneBatch(count, count, last, time.monotonic() - started)
        return
    total = 0
    since: datetime | None = None
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    while True:
        with transaction.atomic(using=using):
            rows = base if since is None else base.filter(finished_at__gte=since)
            keys = list(rows.order_by("finished_at").values_list("finished_at", "pk")[:batch_size])
            if not keys:
                return
            doomed = TaskRecord.objects.using(using).filter(pk__in=[pk for _, pk in keys])
            count, _ = doomed.filter(status__in=finished).delete()
        last = keys[-1][0]
        assert last is not None  # finished_at__lt matched it
        since, total = last, total + count
        yield PruneBatch(count, total, last, time.monotonic() - started)
        if len(keys) < batch_size or count == 0:  # count 0: nothing it selected could go (cannot happen)
            return
