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


def _waiting_reason(rt: Runtime, queue_name: str) -> str:
    invalid = [s for s in rt.queues.all() if s.queue_name == queue_name and not s.valid]
    problems = "; ".join(invalid[0].problems)[:300] if invalid else None
    return db.waiting_reason(queue_name, problems, rt.config.namespace)


async def _list_queues(rt: Runtime) -> None:
    """The TaskQueues as the API has them now, into the registry (never older than what the watch showed)."""
    before = rt.queues.known_queue_names()
    for body in await blocking(kube.list_queues, rt.config.namespace):
        rt.queues.apply_listed(body)
    if rt.queues.known_queue_names() - before:
        rt.poke()  # a queue the watch had not shown yet: dispatch it now


async def waiting_reasons(rt: Runtime) -> None:
    """READY rows whose queue this operator cannot run get a reason saying why: no TaskQueue, or an invalid
    one. The watch may not have shown a TaskQueue created a moment ago, so before any such reason is
    written the TaskQueues are listed, and only rows read before that listing are written: a row enqueued
    for a queue that existed is never told it has none. Nothing is listed while every waiting row already
    says why."""
    pending: list[tuple[str, str, list[str]]] = []
    for using in rt.served.databases:
        for name in await blocking(db.waiting_queue_names, using, rt.queues.known_queue_names()):
            ids = await blocking(db.unexplained, using, name, _waiting_reason(rt, name))
            if ids:
                pending.append((using, name, ids))
    if not pending:
        return
    await _list_queues(rt)
    known = rt.queues.known_queue_names()
    for using, name, ids in pending:
        if name not in known:
            await blocking(db.explain, using, name, ids, _waiting_reason(rt, name))


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
