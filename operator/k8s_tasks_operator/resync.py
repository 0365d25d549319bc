"""The resync: every unfinished row is compared with the Jobs that exist, and each mismatch queues its task.

It runs once the TaskQueues are loaded and the Jobs listed (at start: what changed while the operator was
away), after every new listing of the Jobs, and then every --resync-seconds. It reads the rows that hold
a Job in pages of ids (arguments never loaded) and the Job cache; it makes no API request. Only what
looks wrong is queued: the task's handler (converge.reconcile_task) confirms with the API and acts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from k8s_tasks.models import TaskRecord

from . import db
from .jobcache import JobCache
from .runtime import Runtime, TaskKey, blocking, logger


@dataclass
class ResyncReport:
    rows: int = 0
    queued: int = 0
    jobs_without_row: int = 0
    seconds: float = 0.0


def needs_attention(
    row: TaskRecord, jobs: JobCache, now: datetime, grace: float, *, sealed: bool = False
) -> bool:
    """Does this claimed or running row look other than it should, given the Jobs observed? A sealed
    task's pod that has not started after the grace is looked at too: its Secret may be missing."""
    if row.cancel_requested:
        return True
    job = jobs.get(row.job_name) if row.job_name else None
    claimed_long_ago = row.dispatched_at is None or row.dispatched_at < now - timedelta(seconds=grace)
    if job is None:
        if row.status == "RUNNING":
            return True  # its pod ran, so its Job existed: gone since
        return claimed_long_ago
    if sealed and row.status == "READY" and claimed_long_ago:
        return True
    return job.finished or job.attempt != row.attempt


async def resync(rt: Runtime) -> ResyncReport:
    report = ResyncReport()
    started = time.monotonic()
    names_seen: set[str] = set()
    sealed = {
        q.queue_name for q in rt.queues.valid() if q.profile is not None and q.profile.network == "isolated"
    }
    for using in rt.served.databases:
        now = await blocking(db.now, using)
        pages = db.in_flight_pages(using)
        while True:
            page = await blocking(next, pages, None)
            if page is None:
                break
            for row in page:
                report.rows += 1
                names_seen.add(row.job_name)
                grace = rt.config.claim_grace_seconds
                if needs_attention(row, rt.jobs, now, grace, sealed=row.queue_name in sealed):
                    rt.enqueue((using, row.pk))
                    report.queued += 1
    # Unfinished Jobs whose row does not hold them: the row finished or moved on (the pod is exiting, or
    # the Job should be deleted), or is gone. Their handler decides, after a grace.
    for job in rt.jobs.active_jobs():
        if job.name not in names_seen and rt.serves(job.backend):
            key: TaskKey = rt.key_of(job.task_id, job.backend)
            rt.enqueue(key)
            report.jobs_without_row += 1
    report.seconds = time.monotonic() - started
    rt.resyncs += 1
    level = logger.info if report.queued or report.jobs_without_row else logger.debug
    level(
        "resync: %d unfinished rows, %d queued for a look, %d unfinished Jobs without a row holding them "
        "(%.3fs)",
        report.rows,
        report.queued,
        report.jobs_without_row,
        report.seconds,
    )
    return report
