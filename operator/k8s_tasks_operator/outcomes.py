"""Writing an outcome the pod could not write: retry the task if its policy allows, else FAILED.

Every write is a conditional UPDATE on (status, attempt): written once, whoever tries, however often. A
failure to write raises, and the task's handler is retried (workqueue), so an outcome is never dropped.
"""

from __future__ import annotations

from typing import Any

from k8s_tasks.models import TaskRecord
from k8s_tasks.profiles import QueueProfile, RetryPolicy

from . import db, metrics
from .backoff import plan_retry
from .classify import Outcome
from .runtime import Runtime, blocking, logger, post_event
from .signals import send_finished

DEFAULT_RETRIES = RetryPolicy()
EVENT_CHARS = 200  # an Event's message: one line a terminal shows whole beside its other columns


def profile_for(rt: Runtime, queue_name: str) -> QueueProfile | None:
    return next((q.profile for q in rt.queues.valid() if q.queue_name == queue_name), None)


def retries_for(rt: Runtime, queue_name: str) -> RetryPolicy:
    """The queue's retry policy; the defaults when its TaskQueue is gone or invalid (its Jobs still end)."""
    profile = profile_for(rt, queue_name)
    return profile.retries if profile is not None else DEFAULT_RETRIES


async def write_failed(
    rt: Runtime, using: str, row: TaskRecord, kind: str, message: str, *, log_tail: str | None = None
) -> bool:
    """FAILED with k8s_tasks.exceptions.<kind> for the row's current attempt (with the pod's log tail, when
    given); task_finished if it applied."""
    applied = await blocking(
        row.set_failed,
        f"k8s_tasks.exceptions.{kind}",
        message,
        message,
        attempt=row.attempt,
        log_tail=log_tail,
    )
    if applied:
        metrics.task_outcome(row.queue_name, "failed", kind)
        await blocking(send_finished, using, row.pk)
        rt.poke()
    return applied


def event_line(message: str, task_id: str) -> str:
    """An Event's message: the outcome's first line, at most EVENT_CHARS, pointing to the row for the rest
    (the full reason, the traceback and the log tail are stored there), so `kubectl get events` stays one
    readable line per event."""
    lines = message.strip().splitlines() or [""]
    first = lines[0].removesuffix(" Last log lines:").strip()  # classify's PodFailed: the lines follow
    cut = len(first) > EVENT_CHARS
    if cut:
        first = first[: EVENT_CHARS - 3].rstrip() + "..."
    if cut or len(lines) > 1:
        first += f" (in full: python -m k8s_tasks show {task_id})"
    return first


async def record_outcome(
    rt: Runtime,
    using: str,
    row: TaskRecord,
    result: Outcome,
    job: dict[str, Any] | None,
    *,
    log_tail: str | None = None,
) -> bool:
    """Retry the task if its policy allows, else write FAILED, with the pod's log tail when given; then
    tell the story on the Job, in one line. Returns whether this call wrote it (False: the row had moved
    on, e.g. the pod wrote its own result)."""
    plan = plan_retry(
        result.retry,
        retries_for(rt, row.queue_name),
        attempt=row.attempt,
        infrastructure_retries_used=row.infra_retries,
    )
    attempt = row.attempt
    traceback = result.traceback or result.message
    if plan is None:
        applied = await blocking(
            row.set_failed,
            result.exception_class_path,
            traceback,
            result.message,
            attempt=attempt,
            log_tail=log_tail,
        )
        verb, event = "failed", "TaskFailed"
    else:
        run_after = await blocking(db.later, using, plan.delay_seconds)
        applied = await blocking(
            row.retry,
            attempt=attempt,
            run_after=run_after,
            infrastructure=plan.kind == "infrastructure",
            exception_class_path=result.exception_class_path,
            traceback=traceback,
            reason=f"Retrying ({plan.kind} failure) in {plan.delay_seconds:.0f}s: {result.message}",
            log_tail=log_tail,
        )
        verb, event = f"failed; attempt {attempt + 1} in {plan.delay_seconds:.0f}s ({plan.kind})", "TaskRetry"
    if not applied:
        return False
    final = row.status in db.FINAL  # a retry of a task whose cancel was requested ends it instead
    metrics.task_outcome(row.queue_name, "failed" if final else "retried", result.kind)
    logger.info("task %s attempt %s %s: %s", row.pk, attempt, "failed" if final else verb, result.message)
    if final:
        await blocking(send_finished, using, row.pk)
    if job is not None:
        await post_event(
            job, "TaskFailed" if final else event, event_line(result.message, row.pk), warning=True
        )
    rt.poke()
    return True
