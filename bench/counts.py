"""The API server's request counts, as bench.cluster_proc keys them ("VERB resource", e.g. "POST jobs",
"POST events", "LIST jobs", "WATCH pods"): writes, reads, the difference of two counts, and whether the
Events that trail the Jobs can all be in. Pure."""

from __future__ import annotations

WRITES = ("POST", "PUT", "PATCH", "DELETE")
READS = ("GET", "LIST", "WATCH")
EVENT_POSTS = "POST events"  # the Dispatched Event: one per claimed batch, posted after its Jobs
JOB_POSTS = "POST jobs"


def is_write(key: str) -> bool:
    return key.split()[0] in WRITES


def is_read(key: str) -> bool:
    return key.split()[0] in READS


def writes(requests: dict[str, int]) -> int:
    return sum(n for key, n in requests.items() if is_write(key))


def reads(requests: dict[str, int]) -> int:
    return sum(n for key, n in requests.items() if is_read(key))


def since(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    """The requests made between two readings of the counts (keys with none left out)."""
    return {key: n - before.get(key, 0) for key, n in after.items() if n != before.get(key, 0)}


def events_caught_up(requests: dict[str, int], jobs: int, batch: int) -> bool:
    """Every Job is posted, and at least as many Dispatched Events as the fewest batches of at most `batch`
    Jobs they can have come in (a lower bound: a batch may be smaller; the quiet wait does the rest)."""
    return requests.get(JOB_POSTS, 0) >= jobs and requests.get(EVENT_POSTS, 0) >= -(-jobs // batch)


def last_task_write(last_write: dict[str, float]) -> float:
    """When the last Job or Event was posted (not a TaskQueue status PATCH, which is per queue, not task)."""
    return max(last_write[key] for key in (JOB_POSTS, EVENT_POSTS) if key in last_write)
