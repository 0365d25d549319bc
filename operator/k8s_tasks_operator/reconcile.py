"""Periodic reconciliation: cancellations, tasks pending too long, queues that do not exist, and the
TaskQueue status counts. Each step is idempotent; a restarted operator simply runs it again."""

from __future__ import annotations

from typing import Any

from . import db, kube, metrics
from .classify import outcome
from .queues import queue_status
from .runtime import Runtime, blocking, logger
from .writeback import record_outcome


async def cancel_requested(rt: Runtime) -> None:
    """The row is marked FAILED (TaskCancelled) first, then the Job is deleted: the pod's SIGTERM
    handler then finds the row final and leaves the cancellation as the recorded outcome."""
    for row in await blocking(db.cancel_requested):
        applied = await blocking(
            row.set_failed,
            "k8s_tasks.exceptions.TaskCancelled",
            "Cancelled on request (k8s_tasks.cancel)",
            f"Cancelled on request; Job {row.job_name} deleted",
            attempt=row.attempt,
        )
        if applied:
            metrics.task_outcome(row.queue_name, "failed", "TaskCancelled")
            logger.info("cancelled task %s; deleting Job %s", row.id, row.job_name)
        await blocking(kube.delete_job, row.job_namespace or rt.config.namespace, row.job_name)
        rt.poke()


async def pending_too_long(rt: Runtime) -> None:
    for state in rt.queues.valid():
        profile = state.profile
        if profile is None or not profile.max_pending_seconds:
            continue
        for row in await blocking(db.pending_since, state.queue_name, db.ago(profile.max_pending_seconds)):
            why = row.reason or "the pod did not start"
            expired = outcome(
                "PodUnschedulable",
                f"Not started within maxPendingSeconds={profile.max_pending_seconds}: {why}",
                None,
            )
            await record_outcome(rt, row, expired, None)
            if row.job_name:
                await blocking(kube.delete_job, row.job_namespace or rt.config.namespace, row.job_name)


async def unknown_queues(rt: Runtime) -> None:
    await blocking(db.mark_unknown_queues, rt.queues.known_queue_names(), rt.config.namespace)


def _comparable(status: dict[str, Any]) -> dict[str, Any]:
    return {
        **status,
        "conditions": [
            {k: v for k, v in c.items() if k != "lastTransitionTime"} for c in status["conditions"]
        ],
    }


async def queue_statuses(rt: Runtime) -> None:
    counts = await blocking(db.counts)
    rt.queues.valid()  # marks duplicate queue names as errors before statuses are computed
    metrics.set_queue_counts(
        {state.queue_name: counts.get(state.queue_name, {}) for state in rt.queues.all()}
    )
    for state in rt.queues.all():
        status = queue_status(state, counts.get(state.queue_name, {}))
        previous = rt.last_status.get(state.name)
        if previous is not None and _comparable(previous) == _comparable(status):
            continue
        condition = status["conditions"][0]
        old_condition = (previous or {}).get("conditions", [{}])[0]
        condition["lastTransitionTime"] = (
            old_condition.get("lastTransitionTime")
            if old_condition.get("status") == condition["status"]
            else db.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        try:
            await blocking(kube.patch_queue_status, rt.config.namespace, state.name, status)
            rt.last_status[state.name] = status
        except Exception:
            logger.exception("could not update the status of TaskQueue %s", state.name)


async def reconcile_once(rt: Runtime) -> None:
    for step in (cancel_requested, pending_too_long, unknown_queues, queue_statuses):
        try:
            await step(rt)
        except Exception:
            logger.exception("reconcile step %s failed; will retry", step.__name__)
