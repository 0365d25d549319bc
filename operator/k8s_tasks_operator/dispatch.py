"""Dispatch: claim READY rows up to each queue's concurrency and create one Job per claimed attempt."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from k8s_tasks.models import TaskRecord
from k8s_tasks.profiles import TaskRef, build_job, job_name

from . import crd, db, kube, metrics
from .backoff import retry_delay
from .queues import QueueState
from .runtime import Runtime, blocking, logger, post_event

QUOTA_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


def manifest_for(rt: Runtime, state: QueueState, row: TaskRecord) -> dict[str, Any]:
    assert state.profile is not None
    ref = TaskRef(
        id=row.id,
        attempt=row.attempt,
        task_path=row.task_path,
        queue_name=row.queue_name,
        priority=row.priority,
        backend=row.backend_name,
    )
    retries = state.profile.retries
    task_attempt = row.attempt - row.infra_retries  # the task's own attempts; infrastructure re-runs are free
    sealed = state.profile.network == "isolated"  # a sealed pod gets none of the operator's env
    passed = rt.config.sealed_extra_env if sealed else rt.config.extra_env
    extra_env = [
        *({"name": k, "value": v} for k, v in passed),
        # The runner schedules the task's own retries itself, so the row never shows FAILED in between.
        {"name": "K8S_TASKS_MAX_ATTEMPTS", "value": str(retries.attempts)},
        # On SIGTERM the pod leaves the verdict to the operator, which learns the cause from Kubernetes.
        {"name": "K8S_TASKS_MANAGED", "value": "1"},
        {"name": "K8S_TASKS_RETRY_DELAY_SECONDS", "value": str(round(retry_delay(task_attempt, retries)))},
    ]
    return build_job(
        state.profile,
        ref,
        namespace=rt.config.namespace,
        default_image=rt.config.image,
        settings_module=rt.config.settings_module,
        extra_env=extra_env,
    )


def quota_backoff(rt: Runtime, queue: str, message: str) -> None:
    """The API refused a Job for quota (403 exceeded quota): pause the queue's dispatch, longer each time
    in a row, as the Job controller backs off its pod creates; a Job that goes through resets it."""
    streak = rt.quota_streak.get(queue, 0)
    delay = QUOTA_BACKOFF[min(streak, len(QUOTA_BACKOFF) - 1)]
    rt.quota_streak[queue] = streak + 1
    rt.queue_blocked_until[queue] = time.monotonic() + delay
    logger.warning("queue %s: Job refused for quota, dispatch paused %.0fs: %s", queue, delay, message)


async def launch_one(rt: Runtime, state: QueueState, row: TaskRecord, using: str) -> str | None:
    """Create the Job of a claimed row (an existing one is adopted). Returns the Job's name if this call
    created it. A refusal for quota, or any transient error, gives the row back to the queue (with the
    API's message as its reason for quota); a permanent refusal fails the task as JobRejected."""
    from .outcomes import write_failed

    try:
        manifest = manifest_for(rt, state, row)
        body, created = await blocking(kube.create_job, rt.config.namespace, manifest)
    except Exception as exc:
        if kube.is_quota(exc):
            message = f"Waiting for quota: the API refused the Job: {kube.describe_error(exc)}"
            quota_backoff(rt, row.queue_name, message)
            await blocking(db.release, row, message)
            return None
        if not kube.is_permanent(exc):
            logger.warning("could not create the Job of task %s (%s); it goes back to the queue", row.id, exc)
            await blocking(db.release, row)
            raise
        message = f"The Job for this task was refused: {kube.describe_error(exc)}"
        logger.error("task %s: %s", row.id, message)
        await write_failed(rt, using, row, "JobRejected", message)
        return None
    rt.quota_streak.pop(row.queue_name, None)
    rt.jobs.apply(None, body)  # known at once, before its watch event: its slot is taken
    if state.profile is not None and state.profile.network == "isolated":
        # Its pod waits for its Secret, which the task's own handler creates (one at a time per task,
        # beside the next claims): converge's "hand over".
        rt.enqueue((using, row.pk))
    if not created:
        return None
    rt.launched += 1
    metrics.job_created(row.queue_name)
    name = str(body["metadata"]["name"])
    logger.info("dispatched %s attempt %s as Job %s", row.id, row.attempt, name)
    return name


def dispatched_message(names: list[str], shown: int = 3) -> str:
    """The Dispatched Event's text for one batch of Jobs: how many, and the first few by name."""
    listed = ", ".join(names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"Created {len(names)} Job{'s' if len(names) != 1 else ''}: {listed}{more}"


def queue_object(rt: Runtime, state: QueueState) -> dict[str, Any]:
    """The TaskQueue as an Event's involvedObject needs it."""
    return {
        "apiVersion": f"{crd.GROUP}/{crd.VERSION}",
        "kind": crd.KIND,
        "metadata": {"name": state.name, "namespace": rt.config.namespace, "uid": state.uid},
    }


async def launch_batch(rt: Runtime, state: QueueState, rows: list[TaskRecord], using: str) -> None:
    """Launch the Jobs of claimed rows side by side, then record the batch as one Dispatched Event on the
    TaskQueue (one Event per batch, not per Job: the Job POST stays the only per-task write, and the Job
    itself names its task in its annotations). A failed launch is raised after the Event is posted."""
    results = await asyncio.gather(
        *(launch_one(rt, state, row, using) for row in rows), return_exceptions=True
    )
    names = [r for r in results if isinstance(r, str)]
    if names:
        await post_event(queue_object(rt, state), "Dispatched", dispatched_message(names))
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def dispatch_queue(rt: Runtime, state: QueueState) -> int:
    assert state.profile is not None
    launched = 0
    for using in rt.served.databases:
        if rt.queue_blocked(state.queue_name):
            break
        rows = await blocking(
            db.claim,
            using,
            state.queue_name,
            state.profile.concurrency,
            namespace=rt.config.namespace,
            job_name=job_name,
            active_jobs=rt.jobs.active_in(state.queue_name),
        )
        if rows:
            await launch_batch(rt, state, rows, using)
        launched += len(rows)
    return launched


@metrics.timed_dispatch
async def dispatch_once(rt: Runtime) -> int:
    """One pass over every valid queue. Returns the number of Jobs launched."""
    launched = 0
    for state in rt.queues.valid():
        assert state.profile is not None
        if state.profile.network == "isolated" and state.queue_name not in rt.isolated_by:
            continue  # not before its NetworkPolicy is in place (isolation.ensure_all)
        try:
            launched += await dispatch_queue(rt, state)
        except Exception:  # one queue's trouble (API down, a bad row) must not stop the others
            logger.exception("dispatch failed for queue %s; will retry", state.queue_name)
    return launched
