"""``python -m k8s_tasks status``: queue depths and the most recent tasks, as plain text tables.

Filters: ``--queue`` and ``--status`` (each repeatable), ``--since`` (an age: 30m, 2h, 1d; tasks enqueued
since then, and finished tasks counted since then). Reasons are shown whole: wrapped within the REASON
column to the terminal's width (COLUMNS), never cut.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from .clock import database_now
from .compat import TaskResultStatus
from .conf import task_databases
from .models import TaskRecord

QUEUE_COLUMNS = ("QUEUE", "READY", "RUNNING", "SUCCEEDED", "FAILED")
TASK_COLUMNS = ("ID", "TASK", "QUEUE", "STATUS", "ATTEMPT", "ENQUEUED", "REASON")
GAP = "   "
MIN_REASON_WIDTH = 30
FALLBACK_WIDTH = 160  # when the output is not a terminal and COLUMNS is unset


@dataclass(frozen=True)
class StatusFilter:
    queues: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: timedelta | None = None

    def describe(self) -> str:
        parts = []
        if self.queues:
            parts.append(f"queue {', '.join(self.queues)}")
        if self.statuses:
            parts.append(f"status {', '.join(self.statuses)}")
        if self.since is not None:
            parts.append(f"enqueued in the last {self.since}")
        return "; ".join(parts)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        GAP.join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def _wrap(text: str, room: int) -> list[str]:
    return [
        piece
        for line in (text.splitlines() or [""])
        for piece in (textwrap.wrap(line, room, break_on_hyphens=False) or [""])
    ]


def format_wrapped(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """A table whose last column is wrapped (each of its lines too) into what is left of ``width``, its
    continuation lines under the column; when less than MIN_REASON_WIDTH is left, the last column goes
    under its row instead, indented, wrapped to ``width``."""
    fixed = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)][:-1]
    indent = sum(fixed) + len(GAP) * len(fixed)
    beside = width - indent >= MIN_REASON_WIDTH
    lines = []
    for row in [header, *rows]:
        head = GAP.join(str(cell).ljust(w) for cell, w in zip(row[:-1], fixed, strict=True))
        if beside:
            wrapped = _wrap(str(row[-1]), width - indent)
            lines.append((head + GAP + wrapped[0]).rstrip())
            lines.extend((" " * indent + piece).rstrip() for piece in wrapped[1:])
        else:
            lines.append(head.rstrip())
            if row is not header:
                room = max(MIN_REASON_WIDTH, width - 4)
                lines.extend(f"    {piece}".rstrip() for piece in _wrap(str(row[-1]), room))
    return "\n".join(lines)


def queue_rows(counts: dict[str, dict[str, int]]) -> list[list[str]]:
    keys = ("ready", "running", "succeeded", "failed")
    return [[queue, *(str(counts[queue][key]) for key in keys)] for queue in sorted(counts)]


def task_rows(records: Sequence[TaskRecord]) -> list[list[str]]:
    return [
        [
            record.id,
            record.task_path,
            record.queue_name,
            record.status,
            str(record.attempt),
            record.enqueued_at.strftime("%Y-%m-%d %H:%M:%S"),
            record.reason or "-",
        ]
        for record in records
    ]


def terminal_width() -> int:
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


def render_status(limit: int = 20, filters: StatusFilter | None = None, width: int | None = None) -> str:
    """Both tables, for every database that holds task rows."""
    filters = filters or StatusFilter()
    width = width or terminal_width()
    parts = []
    databases = task_databases()
    for database in databases:
        manager = TaskRecord.objects.db_manager(database)
        rows = manager.order_by("-enqueued_at", "-id")
        since = None
        if filters.since is not None:
            since = database_now(database) - filters.since
            rows = rows.filter(enqueued_at__gte=since)
        if filters.queues:
            rows = rows.filter(queue_name__in=filters.queues)
        if filters.statuses:
            rows = rows.filter(status__in=filters.statuses)
        counts = manager.queue_counts(finished_since=since)
        if filters.queues:
            counts = {queue: n for queue, n in counts.items() if queue in filters.queues}
        recent = list(rows.defer("args", "kwargs", "return_value", "errors", "log_tail")[:limit])
        if len(databases) > 1:
            parts.append(f"database {database}")
        parts.append(format_table(QUEUE_COLUMNS, queue_rows(counts)) if counts else "no tasks yet")
        chosen = f" ({filters.describe()})" if filters.describe() else ""
        if recent:
            table = format_wrapped(TASK_COLUMNS, task_rows(recent), width)
            parts.append(f"\nthe {len(recent)} most recent tasks{chosen}:\n{table}")
        elif chosen:
            parts.append(f"\nno tasks{chosen}")
    return "\n".join(parts)


STATUSES = tuple(TaskResultStatus.values)
