"""The TTL-after-finished controller: deletes finished Jobs (and so their pods) after their TTL."""

import contextlib
from datetime import UTC, datetime
from typing import Any

from ..errors import NotFound
from .informer import Informer, Key, WorkQueue, key_of
from .jobstatus import condition_true, parse_time


def seconds_until_expiry(job: dict[str, Any], now: datetime) -> float | None:
    """Seconds left before a finished Job with ttlSecondsAfterFinished expires (<= 0: now); else None."""
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    if ttl is None or job["metadata"].get("deletionTimestamp"):
        return None
    finished = condition_true(job, "Complete") or condition_true(job, "Failed")
    if finished is None:
        return None
    at = parse_time((job.get("status") or {}).get("completionTime") or finished.get("lastTransitionTime"))
    if at is None:
        return 0.0
    return ttl - (now - at).total_seconds()


class TTLController:
    def __init__(self, jobs: Informer) -> None:
        self.jobs = jobs
        self.queue = WorkQueue()
        jobs.handlers.append(self._on_job)

    def _on_job(self, kind: str, job: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind != "DELETED" and seconds_until_expiry(job, datetime.now(UTC)) is not None:
            self.queue.add(key_of(job))

    def expire(self, key: Key) -> None:
        job = self.jobs.cache.get(key)
        if job is None:
            return
        left = seconds_until_expiry(job, datetime.now(UTC))
        if left is None:
            return
        if left > 0:
            self.queue.add_after(key, left)
            return
        with contextlib.suppress(NotFound):
            self.jobs.store.delete(self.jobs.rt, key[0], key[1], propagation_policy="Background")

    async def run(self) -> None:
        await self.queue.run(self.expire)
