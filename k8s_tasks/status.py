"""``python -m k8s_tasks status``: queue depths and the most recent tasks, as plain text tables."""

from collections.abc import Sequence

from .conf import task_databases
from .models import TaskRecord

QUEUE_COLUMNS = ("QUEUE", "READY", "RUNNING", "SUCCEEDED", "FAILED")
TASK_COLUMNS = ("ID", "TASK", "QUEUE", "STATUS", "ATTEMPT", "ENQUEUED", "REASON")


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "   ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def queue_rows(counts: dict[str, dict[str, int]]) -> list[list[str]]:
    keys = ("ready", "running", "succeeded", "failed")
    return [[queue, *(str(counts[queue][key]) for key in keys)] for queue in sorted(counts)]


def task_rows(records: Sequence[TaskRecord], reason_width: int = 60) -> list[list[str]]:
    rows = []
    for record in records:
        reason = (
            record.reason if len(record.reason) <= reason_width else record.reason[: reason_width - 3] + "..."
        )
        rows.append(
            [
                record.id,
                record.task_path,
                record.queue_name,
                record.status,
                str(record.attempt),
                record.enqueued_at.strftime("%Y-%m-%d %H:%M:%S"),
                reason or "-",
            ]
        )
    return rows


def render_status(limit: int = 20) -> str:
    """Both tables, for every database that holds task rows."""
    parts = []
    for database in task_databases():
        manager = TaskRecord.objects.db_manager(database)
        counts = manager.queue_counts()
        recent = list(manager.order_by("-enqueued_at", "-id")[:limit])
        if len(task_databases()) > 1:
            parts.append(f"database {database}")
        parts.append(format_table(QUEUE_COLUMNS, queue_rows(counts)) if counts else "no tasks yet")
        if recent:
            parts.append(
                f"\nthe {len(recent)} most recent tasks:\n" + format_table(TASK_COLUMNS, task_rows(recent))
            )
    return "\n".join(parts)
