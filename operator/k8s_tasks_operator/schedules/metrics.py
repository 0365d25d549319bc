"""Per-schedule counters, in the operator's metrics registry (served at /metrics with --metrics). Each is
counted by the replica whose write of the tick won, so summed over replicas they count each tick once.
The label is the schedule, namespace/name: one series per TaskSchedule."""

from __future__ import annotations

from prometheus_client import Counter

from ..metrics import REGISTRY

RUNS_ENQUEUED = Counter(
    "k8s_tasks_schedule_runs_enqueued",
    "Runs a TaskSchedule enqueued (one task per tick that was started).",
    ["schedule"],
    registry=REGISTRY,
)
TICKS_SKIPPED = Counter(
    "k8s_tasks_schedule_ticks_skipped",
    "Ticks not started when due because a run was still active and concurrencyPolicy is Forbid (CronJob "
    "may start such a tick later, if it is still the most recent and within startingDeadlineSeconds).",
    ["schedule"],
    registry=REGISTRY,
)
TICKS_MISSED = Counter(
    "k8s_tasks_schedule_ticks_missed",
    "Ticks never started: passed while no operator ran or while suspended, superseded by a later tick, "
    "or past startingDeadlineSeconds.",
    ["schedule"],
    registry=REGISTRY,
)


def counted(schedule: str, *, enqueued: int = 0, skipped: int = 0, missed: int = 0) -> None:
    if enqueued:
        RUNS_ENQUEUED.labels(schedule).inc(enqueued)
    if skipped:
        TICKS_SKIPPED.labels(schedule).inc(skipped)
    if missed:
        TICKS_MISSED.labels(schedule).inc(missed)
