"""The handler of one task: compare its row with its Jobs and pods as they are, and act to converge.

Level-triggered: it is run for a watch event, by the resync, after a failure (with backoff), or twice in a
row, and it decides each time from observed state alone: the row (read now), the Job cache (confirmed
with the API before anything irreversible), what the pod watch last showed. The decision itself is the
pure function `decide`; `reconcile_task` gathers the state and carries the decision out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from k8s_tasks.conf import log_tail_bytes
from k8s_tasks.models import TaskRecord

from . import db, kube
from .classify import deciding_pod
from .dispatch import launch_one
from .finished import job_outcome, read_tail
from .jobcache import JobInfo
from .outcomes import profile_for, record_outcome, write_failed
from .runtime import PodNews, Runtime, TaskKey, blocking, logger, post_event
from .sealing import hand_over, is_sealed, mark_running

RECHECK_SECONDS = 5.0  # when waiting on something that has no event of its own (a deletion to finish)

Action = Literal[
    "nothing",  # the row is fine as it is, or not ours to act on yet
    "cancel",  # carry out a requested cancellation
    "create",  # a claimed row without a Job: create it (AlreadyExists adopts it)
    "vanished",  # a running row whose Job is gone: JobVanished, through the infrastructure retry path
    "outcome",  # the row's Job finished and the pod wrote nothing: classify and record
    "hopeless",  # the pod can never start (bad image, missing Secret): fail or retry now
    "started",  # a sealed task's pod runs: mark the row RUNNING (the pod cannot)
    "hand over",  # a sealed task's pod waits: make sure its Secret exists (its creation may have failed)
    "pending",  # the pod waits for a reason worth writing on the row
]


@dataclass(frozen=True)
class Decision:
    action: Action
    stale: tuple[JobInfo, ...] = ()
    """Unfinished Jobs of this task that the row has moved past (or no row): deleted after a grace."""


def decide(
    row: TaskRecord | None,
    jobs: list[JobInfo],
    ended: bool,
    waiting: PodNews | None,
    *,
    sealed: bool = False,
    started: bool = False,
) -> Decision:
    """What to do for one task. `jobs` are its Jobs as observed (confirmed when it matters), `ended` says
    the current attempt's Job was seen finished, `waiting` is what its pod shows while it waits; for a
    sealed task, `started` says its pod was seen running."""
    if row is None:
        return Decision("nothing", tuple(j for j in jobs if not j.deleting))
    current = next((j for j in jobs if j.name == row.job_name and j.attempt == row.attempt), None)
    final = row.status in db.FINAL
    stale = tuple(j for j in jobs if not j.finished and not j.deleting and (final or j.attempt < row.attempt))
    if final:
        return Decision("nothing", stale)
    if row.cancel_requested:
        return Decision("cancel", stale)
    if row.dispatched_at is None and row.status == "READY":
        return Decision("nothing", stale)  # queued: the dispatch loop claims it
    if ended or (current is not None and current.finished):
        return Decision("outcome", stale)
    if current is None:
        return Decision("create" if row.status == "READY" else "vanished", stale)
    if waiting is not None and waiting.hopeless is not None:
        return Decision("hopeless", stale)
    if sealed and row.status == "READY":
        return Decision("started" if started else "hand over", stale)
    if waiting is not None and waiting.reason and waiting.reason != row.reason:
        return Decision("pending", stale)
    return Decision("nothing", stale)


async def observed_jobs(rt: Runtime, row: TaskRecord | None, task_id: str) -> list[JobInfo]:
    """The task's Jobs from the cache; the current attempt's Job, if the cache lacks it, from the API (a
    missing Job is only believed when the API says 404)."""
    jobs = rt.jobs.of_task(task_id)
    if row is None or not row.job_name or any(j.name == row.job_name for j in jobs):
        return jobs
    if row.status in db.FINAL or (row.dispatched_at is None and row.status == "READY"):
        return jobs
    body = await blocking(kube.get_job, row.job_namespace or rt.config.namespace, row.job_name)
    if body is None:
        return jobs
    info = rt.jobs.apply(None, body)
    return [*jobs, info] if info is not None else jobs


async def reconcile_task(rt: Runtime, key: TaskKey) -> None:
    using, task_id = key
    row = await blocking(db.get, using, task_id)
    jobs = await observed_jobs(rt, row, task_id)
    name = row.job_name if row is not None else ""
    sealed = row is not None and is_sealed(profile_for(rt, row.queue_name))
    decision = decide(
        row, jobs, name in rt.ended, rt.waiting.get(name), sealed=sealed, started=name in rt.started
    )
    await clean_up(rt, key, row, decision.stale)
    if row is None or decision.action == "nothing":
        if row is None or row.status in db.FINAL:
            for job in jobs:
                for known in (rt.ended, rt.last_pods, rt.started, rt.cancel_tails):
                    known.pop(job.name, None)
                rt.handed.discard(job.name)
            if row is not None:
                rt.cancel_tails.pop(row.job_name, None)  # the pod wrote its cancellation itself
        return
    namespace = row.job_namespace or rt.config.namespace
    if decision.action == "cancel":
        await carry_out_cancel(rt, key, row, namespace)
    elif decision.action == "create":
        await create_missing(rt, key, row)
    elif decision.action == "vanished":
        await job_vanished(rt, key, row, namespace)
    elif decision.action == "outcome":
        await job_outcome(rt, using, row, namespace)
    elif decision.action == "hopeless":
        stuck = rt.waiting[row.job_name].hopeless
        assert stuck is not None
        if await record_outcome(rt, using, row, stuck, None):
            await blocking(kube.delete_job, namespace, row.job_name)
        rt.waiting.pop(row.job_name, None)
    elif decision.action == "started":
        await mark_running(rt, row, rt.started[row.job_name])
    elif decision.action == "hand over":
        current = rt.jobs.get(row.job_name)
        if current is not None:
            owner = {"metadata": {"name": current.name, "namespace": current.namespace, "uid": current.uid}}
            await hand_over(rt, using, row.pk, owner)
        news = rt.waiting.get(name)
        if news is not None and news.reason and news.reason != row.reason:  # why it waits, as for any pod
            await blocking(row.set_pending_reason, news.reason, attempt=row.attempt)
    elif decision.action == "pending":
        reason = rt.waiting[row.job_name].reason
        assert reason is not None
        await blocking(row.set_pending_reason, reason, attempt=row.attempt)


async def clean_up(rt: Runtime, key: TaskKey, row: TaskRecord | None, stale: tuple[JobInfo, ...]) -> None:
    """Delete Jobs that ran on past their row's attempt (or whose row is gone) for longer than the grace:
    a pod writes its result a moment before it exits, so a fresh one is left to finish."""
    for job in stale:
        since = rt.stale_since.setdefault(job.name, time.monotonic())
        left = rt.config.stale_job_seconds - (time.monotonic() - since)
        if left > 0:
            rt.enqueue(key, after=left + 0.1)
            continue
        why = "no task row" if row is None else f"the task is {row.status} at attempt {row.attempt}"
        logger.warning("Job %s still runs although %s: deleting it", job.name, why)
        if row is None:
            body = job_named(job.name, job.namespace)
            await post_event(body, "Orphaned", f"No task row {job.task_id}; deleting the Job", warning=True)
        await blocking(kube.delete_job, job.namespace, job.name)
        rt.stale_since.pop(job.name, None)


async def carry_out_cancel(rt: Runtime, key: TaskKey, row: TaskRecord, namespace: str) -> None:
    """A cancel is enforced until the Job is gone (deleted in the foreground: its pods first), and only
    then written as FAILED TaskCancelled; a pod interrupted by it may write the cancellation itself."""
    if row.job_name:
        body = await blocking(kube.get_job, namespace, row.job_name)
        if body is not None:
            rt.jobs.apply(None, body)
            if not (body.get("metadata") or {}).get("deletionTimestamp"):
                await keep_log_before_cancel(rt, row, namespace)
                logger.info("task %s: cancel requested; deleting Job %s", row.pk, row.job_name)
                await blocking(kube.delete_job, namespace, row.job_name, foreground=True)
            rt.enqueue(key, after=RECHECK_SECONDS)  # the DELETED event usually comes first
            return
        rt.jobs.forget(row.job_name)
    message = (
        f"Cancelled on request (k8s_tasks.cancel); Job {row.job_name} deleted"
        if row.job_name
        else "Cancelled on request (k8s_tasks.cancel) before its Job was created"
    )
    tail = rt.cancel_tails.pop(row.job_name, None)
    if await write_failed(rt, key[0], row, "TaskCancelled", message, log_tail=tail):
        logger.info("task %s cancelled (Job %s is gone)", row.pk, row.job_name or "-")


async def keep_log_before_cancel(rt: Runtime, row: TaskRecord, namespace: str) -> None:
    """A running task's log, read before its Job is deleted (its pods and their logs go with it), for
    when the operator writes the cancellation (a pod that writes it itself stores its own output). Two
    reads (its pods, one log), per cancel of a running task only."""
    keep = log_tail_bytes(row.backend_name)
    if row.status != "RUNNING" or not keep or row.job_name in rt.cancel_tails:
        return
    try:
        pods = await blocking(kube.job_pods, namespace, row.job_name)
        pod = deciding_pod(pods)
        name = (pod or {}).get("metadata", {}).get("name", "")
        tail = await read_tail(namespace, name, keep)
    except Exception as exc:  # best effort: the cancel goes on without the log
        logger.warning("task %s: could not read its log before the cancel: %s", row.pk, exc)
        return
    if tail is not None:
        rt.cancel_tails[row.job_name] = tail


async def create_missing(rt: Runtime, key: TaskKey, row: TaskRecord) -> None:
    """A claimed row without its Job: the claiming operator died or failed between claim and create.
    Past a short grace (it may still be creating it), create it; a Job that exists is adopted."""
    assert row.dispatched_at is not None
    wait = await blocking(db.claimed_for, key[0], rt.config.claim_grace_seconds, row.dispatched_at)
    if wait > 0:
        rt.enqueue(key, after=wait + 0.1)
        return
    state = next((q for q in rt.queues.valid() if q.queue_name == row.queue_name), None)
    if state is None:
        logger.warning(
            "task %s is claimed but queue %s has no valid TaskQueue: unclaimed", row.pk, row.queue_name
        )
        await blocking(db.release, row)
        return
    logger.info("task %s was claimed but has no Job %s: creating it", row.pk, row.job_name)
    await launch_one(rt, state, row, key[0])


async def job_vanished(rt: Runtime, key: TaskKey, row: TaskRecord, namespace: str) -> None:
    """A RUNNING row whose Job the API says is gone: once no pod of it runs any more (a task never runs
    twice at once), JobVanished, retried as an infrastructure failure."""
    from .classify import outcome

    alive = [
        p["metadata"]["name"]
        for p in await blocking(kube.job_pods, namespace, row.job_name)
        if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]
    if alive:
        logger.info("task %s: Job %s is gone but pod %s still runs; waiting", row.pk, row.job_name, alive[0])
        rt.enqueue(key, after=RECHECK_SECONDS)
        return
    vanished = outcome(
        "JobVanished",
        f"Job {row.job_name} was deleted before the task's result was written (by a person, another "
        "controller, or ttlSecondsAfterFinished while the operator was away)",
        "infrastructure",
    )
    await record_outcome(rt, key[0], row, vanished, None)


def job_named(name: str, namespace: str) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": namespace}}
