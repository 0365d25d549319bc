"""Write-back: when a Job ends (or its pod cannot start) and the pod wrote no final row, the operator
writes the outcome with a reason a person can read, or schedules the next attempt."""

from __future__ import annotations

import asyncio
from typing import Any

from k8s_tasks.models import TaskRecord
from k8s_tasks.profiles import QueueProfile

from . import db, kube
from .backoff import plan_retry
from .classify import (
    Outcome,
    classify_job,
    deciding_pod,
    is_hopeless_waiting,
    job_finished,
    outcome,
    pending_reason,
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
        logger.info("task %s attempt %s %s: %s", row.id, row.attempt, verb, result.message)
        if job is not None:
            await post_event(job, event, result.message, warning=True)
        rt.poke()


async def on_job(rt: Runtime, event_type: str | None, job: dict[str, Any]) -> None:
    ident = job_identity(job)
    if ident is None:
        return
    task_id, attempt = ident
    deleted = event_type == "DELETED"
    rt.track_job(job, active=not (deleted or job_finished(job)))
    if not (job_finished(job) or deleted):
        return
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
    pods = await job_pods(rt, namespace, name)
    tail = ""
    if pods:
        deciding = deciding_pod(pods)
        if deciding is not None:
            tail = await blocking(kube.log_tail, namespace, deciding["metadata"]["name"])
    result = classify_job(job, pods, profile_for(rt, row.queue_name), log_tail=tail)
    if result is None:
        result = outcome("PodFailed", f"Job {name} finished but the task wrote no result", None)
    await record_outcome(rt, row, result, job)


async def job_pods(rt: Runtime, namespace: str, job_name: str) -> list[dict[str, Any]]:
    """The Job's pods; a pod already deleted (evicted, lost with its node) is taken from the watch's last
    sight of it. Pod and Job watches are separate streams, so a pod's last event may trail the Job's."""
    for _ in range(10):
        pods = await blocking(kube.job_pods, namespace, job_name)
        listed = {p["metadata"]["name"] for p in pods}
        pods += [pod for name, pod in rt.last_pods.get(job_name, {}).items() if name not in listed]
        if pods:
            return pods
        await asyncio.sleep(0.2)
    return []


def remember_pod(rt: Runtime, event_type: str | None, pod: dict[str, Any]) -> None:
    """Keep the last state of a Job's pod that is ending, for when it is gone by the time the Job is.
    Only while the Job is active, so memory stays bounded by the Jobs in flight."""
    labels = pod["metadata"].get("labels") or {}
    job_name = labels.get("job-name")
    if job_name not in rt.active_jobs.get(labels.get("k8stasks.io/queue", ""), ()):
        return
    phase = (pod.get("status") or {}).get("phase")
    if job_name and (
        event_type == "DELETED"
        or phase in ("Succeeded", "Failed")
        or pod["metadata"].get("deletionTimestamp")
    ):
        rt.last_pods.setdefault(job_name, {})[pod["metadata"]["name"]] = pod


async def on_pod(rt: Runtime, event_type: str | None, pod: dict[str, Any]) -> None:
    """While a pod waits, its row carries why; a pod that can never start fails its task now."""
    ident = job_identity(pod)
    if ident is None:
        return
    remember_pod(rt, event_type, pod)
    if event_type == "DELETED":
        rt.pending_reasons.pop(pod["metadata"]["name"], None)
        return
    task_id, attempt = ident
    hopeless = is_hopeless_waiting(pod)
    reason = pending_reason(pod) if hopeless is None else None
    key = pod["metadata"]["name"]
    if reason is None:
        rt.pending_reasons.pop(key, None)  # no longer waiting: forget it
    if hopeless is None and (reason is None or rt.pending_reasons.get(key) == reason):
        return
    row = await blocking(db.get, task_id)
    if row is None or row.attempt != attempt or row.status in db.FINAL:
        return
    if hopeless is not None:
        await record_outcome(rt, row, hopeless, None)
        if row.job_name:
            await blocking(kube.delete_job, row.job_namespace or rt.config.namespace, row.job_name)
        return
    assert reason is not None
    rt.pending_reasons[key] = reason
    await blocking(row.set_pending_reason, reason, attempt=attempt)
