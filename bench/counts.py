"""The API server's request counts, as bench.cluster_proc keys them ("METHOD resource", e.g. "POST jobs",
"POST events", "WATCH pods"): writes, and whether the Events that trail the Jobs are all in. Pure."""

from __future__ import annotations

WRITES = ("POST", "PUT", "PATCH", "DELETE")
EVENT_POSTS = "POST events"  # the Dispatched Event: one per Job, posted after the Job
JOB_POSTS = "POST jobs"


def is_write(key: str) -> bool:
    return key.split()[0] in WRITES


def writes(requests: dict[str, int]) -> int:
    return sum(n for key, n in requests.items() if is_write(key))


def events_caught_up(requests: dict[str, int], jobs: int) -> bool:
    """Every Job created has had its Event posted."""
    return requests.get(EVENT_POSTS, 0) >= jobs


def last_task_write(last_write: dict[str, float]) -> float:
    """When the last Job or Event was posted (not a TaskQueue status PATCH, which is per queue, not task)."""
    return max(last_write[key] for key in (JOB_POSTS, EVENT_POSTS) if key in last_write)
