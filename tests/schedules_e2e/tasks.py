"""Tasks the schedule tests run (module level: task pods import them)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from k8s_tasks.compat import TaskContext, task
from k8s_tasks.schedules import scheduled_time


@task(takes_context=True)
def tick(context: TaskContext, label: str = "") -> dict[str, Any]:
    """Returns the scheduled time of its tick, as the task reads it from its context."""
    when = scheduled_time(context)
    return {"label": label, "scheduled": when.isoformat() if when else None, "id": context.task_result.id}


@task(takes_context=True)
def hold(context: TaskContext, marker_dir: str, seconds: float = 60.0) -> str:
    """Marks that it runs (a file named after its tick), then holds on until killed or done."""
    when = scheduled_time(context)
    Path(marker_dir, f"{when:%H%M%S}" if when else "unscheduled").write_text(context.task_result.id)
    time.sleep(seconds)
    return "held"


def not_a_task() -> None:
    """A plain function: a TaskSchedule naming it is invalid."""
