"""07-nightly-report: a task a TaskSchedule enqueues on a cron schedule, exactly once per tick.

The report covers the window before the tick it was scheduled for: its context tells it which
(k8s_tasks.schedules.scheduled_time), so a run that starts late, or again, still reports on the same
window. Run by hand it has no tick and reports on the window before now.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db.models import Count
from django.tasks import TaskContext, task

from k8s_tasks.models import TaskRecord
from k8s_tasks.schedules import scheduled_time


def report_dir() -> Path:
    return Path(os.environ.get("K8S_DEMO_WORKDIR") or "/tmp") / "reports"


@task(takes_context=True)
def build_report(context: TaskContext, window_minutes: int = 1440) -> dict[str, Any]:
    """Count the tasks that finished in the `window_minutes` before the tick, by queue and status, and
    write the report to a file (a real one would mail it or store it)."""
    tick = scheduled_time(context)
    end = tick or datetime.now(UTC)
    start = end - timedelta(minutes=window_minutes)
    finished = TaskRecord.objects.filter(finished_at__gte=start, finished_at__lt=end)
    counts = {
        f"{row['queue_name']}/{row['status']}": row["n"]
        for row in finished.values("queue_name", "status").annotate(n=Count("id")).order_by("queue_name")
    }
    lines = [f"Tasks finished from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"]
    lines += [f"  {key}: {n}" for key, n in sorted(counts.items())] or ["  none"]
    folder = report_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"report-{end:%Y%m%dT%H%M%S}-{context.task_result.id[:8]}.txt"
    path.write_text("\n".join(lines) + "\n")
    return {
        "scheduled_for": tick.isoformat() if tick else None,
        "window": [start.isoformat(), end.isoformat()],
        "finished": counts,
        "report": str(path),
    }
