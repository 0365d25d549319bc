"""Write-back: when a Job ends (or its pod cannot start) and the pod wrote no final row, the operator
writes the outcome with a reason a person can read, or schedules the next attempt."""

from __future__ import annotations

import asyncio
from typing import Any

from k8s_tasks.models import TaskRecord
from k8s_tasks.profiles import QueueProfile

from . import db, kube, metrics
from .backoff import plan_retry
from .classify import (
    Outcome,
    classify_job,
    deciding_pod,
    is_hopeless_waiting,
    job_finished,
    outcome,
    pending_news,
)
from .runtime import Runtime, blocking, logger, post_event

TASK_ID = "k8stasks.io/task-id"
ATTEMPT = "k8stasks.io/attempt"


def job_identity(body: dict[str, Any]) -> tuple[str, int] | None:
    meta = body.get("metadata", {})
    task_id = (meta.get("labels") or {}).get(TASK_ID)
    attempt = (meta.get("annotations") or {}).get(ATTEMPT) or (meta.get("labels") or {}).get(ATTEMPT)
    if not task_id or not attempt:
        return None
    return task_id, int(attempt)


def profile_for(rt: Runtime, queue_name: str) -> QueueProfile | None:
    return next((q.profile for q in rt.queues.all() if q.queue_name == queue_name and q.profile), None)


async def record_outcome(rt: Runtime, row: TaskRecord, result: Outcome, job: dict[str, Any] | None) -> None:
    """Retry the task if its policy allows, else write FAILED; then tell the story on the Job."""
    profile = profile_for(rt, row.queue_name)
    plan = (
        plan_retry(
            result.retry, profile.retries, attempt=row.attempt, infrastructure_retries_used=row.infra_retries
        )
        if profile is not None
        else None
    )
    if plan is None:
        applied = await blocking(
            row.set_failed, result.exception_class_path, result.message, result.message, attempt=row.attempt
        )
        verb, event = "failed", "TaskFailed"
    else:
        applied = await blocking(
            row.retry,
            attempt=row.attempt,
            run_after=db.later(plan.delay_seconds),
            infrastructure=plan.kind == "infrastructure",
            exception_class_path=result.exception_class_path,
            traceback=result.message,
            reason=f"Retrying ({plan.kind} failure) in {plan.delay_seconds:.0f}s: {result.message}",
        )
        verb, event = f"will be retried ({plan.kind}, in {plan.delay_seconds:.0f}s)", "TaskRetry"
    if applied:
        metrics.task_outcome(row.queue_name, "failed" if plan is None else "retried", result.kind)
        logger.info("task %s attempt %s %s: %s", row.id, row.attempt, verb, result.message)
        if job is not None:
            await post_event(job, event, result.message, warning=True)
        rt.poke()


def job_event(rt: Runtime, event_type: str | None, job: dict[str, Any]) -> None:
    """A Job seen by the watch (event_type None: in a listing). Runs on the loop; the outcome of a Job
    that ended is written by a task of its own, after any earlier one for the same Job."""
    ident = job_identity(job)
    if ident is None:
        return
    deleted, finished = event_type == "DELETED", job_finished(job)
    rt.track_job(job, active=not (deleted or finished))
    if finished or deleted:
        rt.serially(job["metadata"]["name"], lambda: _ended(rt, job, *ident, deleted))


def jobs_listed(rt: Runtime, jobs: list[dict[str, Any]]) -> None:
    """All our Jobs, as listed: the active ones hold their queues' slots; ended ones get their outcome."""
    rt.replace_active_jobs(jobs, active=lambda job: not job_finished(job))
    for job in jobs:
        if job_finished(job):
            job_event(rt, None, job)


async def _ended(rt: Runtime, job: dict[str, Any], task_id: str, attempt: int, deleted: bool) -> None:
    try:
        await job_ended(rt, job, task_id, attempt, deleted)
    finally:
        rt.last_pods.pop(job["metadata"]["name"], None)


async def job_ended(rt: Runtime, job: dict[str, Any], task_id: str, attempt: int, deleted: bool) -> None:
    """The Job finished or vanished: if its pod wrote no final row, classify and record why."""
    row = await blocking(db.get, task_id)
    name, namespace = job["metadata"]["name"], job["metadata"].get("namespace", rt.config.namespace)
    if row is None:
        if not deleted:
            logger.warning("Job %s has no task row %s: deleting it", name, task_id)
            await post_event(
                job, "Orphaned", f"No task row {task_id} in the database; deleting the Job", warning=True
            )
            await blocking(kube.delete_job, namespace, name)
        return
    rt.poke()  # a slot of the queue is free
    if row.attempt != attempt or row.status in db.FINAL:
        return  # the pod wrote its result, or this attempt was already handled
    if deleted and not job_finished(job):
        vanished = outcome(
            "JobVanished",
            f"Job {name} was deleted before the task finished (by a person or another controller)",
            "infrastructure",
        )
        await record_outcome(rt, row, vanished, None)
        return
    pods = await job_pods(rt, job)
    tail = ""
    if pods:
        deciding = deciding_pod(pods)
        if deciding is not None:
            tail = await blocking(kube.log_tail, namespace, deciding["metadata"]["name"])
    result = classify_job(job, pods, profile_for(rt, row.queue_name), log_tail=tail)
    if result is None:
        result = outcome("PodFailed", f"Job {name} finished but the task wrote no result", None)
    await record_outcome(rt, row, result, job)


async def job_pods(rt: Runtime, job: dict[str, Any]) -> list[dict[str, Any]]:
    """The Job's pods. When the pod watch has already shown as many ended pods as the Job counts (the
    usual case: one pod), those are used; else they are listed, plus any already deleted (evicted, lost
    with its node) from the watch's last sight. Pod and Job watches are separate streams, so a pod's last
    event may trail the Job's: listing is retried a few times."""
    name, namespace = job["metadata"]["name"], job["metadata"].get("namespace", rt.config.namespace)
    status = job.get("status") or {}
    seen = rt.last_pods.get(name, {})
    if seen and len(seen) >= (status.get("succeeded") or 0) + (status.get("failed") or 0):
        return list(seen.values())
    for _ in range(10):
        pods = await blocking(kube.job_pods, namespace, name)
        listed = {p["metadata"]["name"] for p in pods}
        pods += [pod for pod_name, pod in rt.last_pods.get(name, {}).items() if pod_name not in listed]
        if pods:
            return pods
        await asyncio.sleep(0.2)  # the pod's own events trail the Job's; bounded by the loop above
    return []


def remember_pod(rt: Runtime, event_type: str | None, pod: dict[str, Any]) -> None:
    """Keep the last state of a Job's pod that is ending, for when it is gone by the time the Job is.
    Only while the Job is active or its outcome is being worked out (the pod's last event may trail the
    Job's: a pod lost with its node), so memory stays bounded by the Jobs in flight."""
    labels = pod["metadata"].get("labels") or {}
    job_name = labels.get("job-name")
    active = rt.active_jobs.get(labels.get("k8stasks.io/queue", ""), ())
    if job_name not in active and job_name not in rt.work:
        return
    phase = (pod.get("status") or {}).get("phase")
    if job_name and (
        event_type == "DELETED"
        or phase in ("Succeeded", "Failed")
        or pod["metadata"].get("deletionTimestamp")
    ):
        rt.last_pods.setdefault(job_name, {})[pod["metadata"]["name"]] = pod


def pod_event(rt: Runtime, event_type: str | None, pod: dict[str, Any]) -> None:
    """While a pod waits, its row carries why; a pod that can never start fails its task now. Runs on the
    loop; only a change worth writing starts a task (after any earlier one for the same pod)."""
    ident = job_identity(pod)
    if ident is None:
        return
    remember_pod(rt, event_type, pod)
    key = pod["metadata"]["name"]
    if event_type == "DELETED":
        rt.pending_reasons.pop(key, None)
        return
    hopeless = is_hopeless_waiting(pod)
    reason = pending_news(pod) if hopeless is None else None
    if reason is None:
        rt.pending_reasons.pop(key, None)  # no longer waiting: forget it
    if hopeless is None and (reason is None or rt.pending_reasons.get(key) == reason):
        return
    if reason is not None:
        rt.pending_reasons[key] = reason
    rt.serially(key, lambda: _pod_waiting(rt, *ident, hopeless, reason))


def pods_listed(rt: Runtime, pods: list[dict[str, Any]]) -> None:
    for pod in pods:
        pod_event(rt, None, pod)


async def _pod_waiting(
    rt: Runtime, task_id: str, attempt: int, hopeless: Outcome | None, reason: str | None
) -> None:
    row = await blocking(db.get, task_id)
    if row is None or row.attempt != attempt or row.status in db.FINAL:
        return
    if hopeless is not None:
        await record_outcome(rt, row, hopeless, None)
        if row.job_name:
            await blocking(kube.delete_job, row.job_namespace or rt.config.namespace, row.job_name)
        return
    assert reason is not None
    await blocking(row.set_pending_reason, reason, attempt=attempt)
