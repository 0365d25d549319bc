"""Periodic tasks: TaskSchedule objects (k8stasks.io/v1alpha1, kind TaskSchedule) that the operator turns
into ordinary task rows, exactly once per tick, by CronJob's rules.

For task code: ``scheduled_time(context)`` is the scheduled time of the tick a run was enqueued for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["scheduled_time"]


def scheduled_time(context: Any) -> datetime | None:
    """The scheduled time (an aware UTC datetime) of the tick this run was enqueued for, or None when the
    task was not enqueued by a TaskSchedule. `context` is the task's TaskContext (``@task(takes_context=
    True)``), its TaskResult, or a task id. Read from the task id itself (ids.run_id): no database
    query, so it works in sealed pods too."""
    from .ids import scheduled_at

    result = getattr(context, "task_result", context)
    return scheduled_at(str(getattr(result, "id", result)))
