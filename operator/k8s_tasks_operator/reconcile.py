"""Periodic steps, every --status-seconds: cancellations to carry out, tasks pending too long, tasks whose
queue cannot run them, and the TaskQueue status counts. Each step is idempotent and decides from the
rows as they are now, so a step that fails is simply done again on the next pass."""

from __future__ import annotations

from typing import Any

from . import db, kube, metrics
from .classify import outcome
from .outcomes import record_outcome
from .queues import queue_status
from .runtime import Runtime, blocking, logger


async def cancel_requested(rt: Runtime) -> None:
    """Queue every task with a cancel to carry out (its handler deletes the Job, then writes FAILED)."""
    for using in rt.served.databases:
        for task_id in await blocking(db.cancel_requested, using):
            rt.enqueue((using, task_id))


async def pending_too_long(rt: Runtime) -> None:
    """Claimed rows whose pod has not started within the queue's maxPendingSeconds (database clock)."""
    for state in rt.queues.valid():
        profile = state.profile
        if profile is None or not profile.max_pending_seconds:
            continue
        for using in rt.served.databases:
            for row in await blocking(db.pending_since, using, state.queue_name, profile.max_pending_seconds):
                why = row.reason or "the pod did not start"
                expired = outcome(
                    "PodUnschedulable",
                    f"Not started within maxPendingSeconds={profile.max_pending_seconds}: {why}",
                    None,
                )
                if await record_outcome(rt, using, row, expired, None) and row.job_name:
                    await blocking(kube.delete_job, row.job_namespace or rt.config.namespace, row.job_name)


async def waiting_reasons(rt: Runtime) -> None:
    invalid = {
        state.queue_name: "; ".join(state.problems)[:300]
        for state in rt.queues.all()
        if not state.valid and state.queue_name not in rt.queues.known_queue_names()
    }
    for using in rt.served.databases:
        await blocking(db.waiting_reasons, using, rt.queues.known_queue_names(), invalid, rt.config.namespace)


def _comparable(status: dict[str, Any]) -> dict[str, Any]:
    return {
        **status,
        "conditions": [
            {k: v for k, v in c.items() if k != "lastTransitionTime"} for c in status["conditions"]
        ],
    }


def merged_counts(per_database: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    total: dict[str, dict[str, int]] = {}
    for counts in per_database:
        for queue, by_status in counts.items():
            into = total.setdefault(queue, {})
            for status, n in by_status.items():
                into[status] = into.get(status, 0) + n
    return total


async def queue_statuses(rt: Runtime) -> None:
    counts = merged_counts([await blocking(db.counts, using) for using in rt.served.databases])
    rt.queues.valid()  # marks duplicate queue names as errors before statuses are computed
    metrics.set_queue_counts(
        {state.queue_name: counts.get(state.queue_name, {}) for state in rt.queues.all()}
    )
    stamp = (await blocking(db.now, rt.served.databases[0])).strftime("%Y-%m-%dT%H:%M:%SZ")
    for state in rt.queues.all():
        status = queue_status(
            state,
            counts.get(state.queue_name, {}),
            isolated_by=rt.isolated_by.get(state.queue_name),
            pod_security=rt.config.pod_security,
        )
        previous = rt.last_status.get(state.name)
        if previous is not None and _comparable(previous) == _comparable(status):
            continue
        condition = status["conditions"][0]
        old_condition = (previous or {}).get("conditions", [{}])[0]
        condition["lastTransitionTime"] = (
            old_condition.get("lastTransitionTime")
            if old_condition.get("status") == condition["status"]
            else stamp
        )
        try:
            await blocking(kube.patch_queue_status, rt.config.namespace, state.name, status)
            rt.last_status[state.name] = status
        except Exception:
            logger.exception("could not update the status of TaskQueue %s", state.name)


async def reconcile_once(rt: Runtime) -> None:
    rt.reconciles += 1
    for step in (cancel_requested, pending_too_long, waiting_reasons, queue_statuses):
        try:
            await step(rt)
        except Exception:
            logger.exception("reconcile step %s failed; will retry", step.__name__)
