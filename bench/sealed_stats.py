"""Pure parts of bench.sealed: when a dispatch ends, one task's stamps, and the steps of its latency.

All stamps are ``time.time()`` seconds on this machine: the benchmark driver's (enqueue), the cluster's
(Job and Secret ADDED, pod Running, Job finished: bench.cluster_proc) and the database rows' (started_at,
finished_at: written by a direct pod itself, by the operator for a sealed one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from .counts import JOB_POSTS

SECRET_POSTS = "POST secrets"

STEPS: dict[str, tuple[str, str]] = {
    "to_job": ("sent", "job"),
    "job_to_secret": ("job", "secret"),
    "job_to_running": ("job", "running"),
    "running_to_job_finished": ("running", "job_finished"),
    "job_finished_to_finished_at": ("job_finished", "finished_at"),
    "running_to_finished_at": ("running", "finished_at"),
    "total": ("sent", "finished_at"),
}
"""A latency's steps, each (from, to) stamp: enqueue() -> Job created (claim + POST) -> Secret created
(sealed) -> pod Running (scheduled, volumes set up, process spawned) -> Job finished (the process ran:
Python, Django, the task) -> finished_at (sealed: the operator read the termination message and wrote
the row). A direct pod writes its own row before it exits: its running -> finished_at is the process's
part, and its Job finishes after finished_at."""


class Row(Protocol):
    """What task_stamps reads of a TaskRecord."""

    @property
    def pk(self) -> Any: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...


def dispatched_at(ids: Iterable[str], jobs: Mapping[str, float], secrets: Mapping[str, float]) -> float:
    """When the last of these tasks was dispatched: its Job created and, for a sealed task (one with a
    Secret), its Secret too (its pod cannot start before). KeyError if one has no Job."""
    return max(max(jobs[i], secrets.get(i, 0.0)) for i in ids)


def task_stamps(row: Row, sent: float, stats: Mapping[str, Mapping[str, float]]) -> dict[str, float | None]:
    """One task's stamps: `sent` (just before enqueue()), the cluster's (bench.cluster_proc's stats:
    "created" Job, "secrets", pod "running", Job "finished"; None where there was none) and its row's."""
    task_id = str(row.pk)

    def at(part: str) -> float | None:
        return stats.get(part, {}).get(task_id)

    return {
        "sent": sent,
        "job": at("created"),
        "secret": at("secrets"),
        "running": at("running"),
        "job_finished": at("finished"),
        "started_at": row.started_at.timestamp() if row.started_at else None,
        "finished_at": row.finished_at.timestamp() if row.finished_at else None,
    }


def step_ms(tasks: Sequence[Mapping[str, Any]], step: str) -> list[float]:
    """The milliseconds of one step (a key of STEPS) for every task that has both stamps."""
    start, end = STEPS[step]
    return [1000 * (t[end] - t[start]) for t in tasks if t.get(start) is not None and t.get(end) is not None]


def per_task_writes(requests: Mapping[str, int], tasks: int) -> float:
    """The writes made once per task on a sealed queue (Job POSTs and Secret POSTs) per task: what the
    batch's Event and the TaskQueue's status PATCHes add on top is the rest of api_writes_per_task."""
    return (requests.get(JOB_POSTS, 0) + requests.get(SECRET_POSTS, 0)) / tasks
