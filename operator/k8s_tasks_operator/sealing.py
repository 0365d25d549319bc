"""Sealed tasks, the operator's side: hand the pod its task, mark it running, write its outcome.

The pod of an isolated queue has no database. After creating its Job the operator creates the attempt's
Secret (named like the Job, owned by it: it goes with the Job) holding the task (k8s_tasks.sealing). When
the pod runs, the operator marks the row RUNNING; when the Job ends, it reads the outcome from the pod's
termination message (or log), checks that it is about the Job's own task and attempt, checks the return
value against the backend's limits, and writes the row (a failure through the retry policy). A pod that
reports nothing is classified like any other (OOMKilled, deadline, ...).
"""

from __future__ import annotations

import asyncio
from typing import Any

from k8s_tasks.arguments import DEFAULT_RESULT_LIMITS, PayloadLimits, json_result
from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.exceptions import InvalidTaskResult
from k8s_tasks.models import TaskRecord
from k8s_tasks.profiles import QueueProfile, labels
from k8s_tasks.sealing import (
    PAYLOAD_KEY,
    Outcome,
    ProtocolError,
    TaskPayload,
    check_own,
    decode,
    points_to_log,
)

from . import db, kube
from .classify import Outcome as Verdict
from .classify import deciding_pod
from .outcomes import record_outcome
from .runtime import Runtime, blocking, logger
from .signals import send_finished

HANDING_OVER = asyncio.Semaphore(8)  # payloads in memory at once (each at most MAX_ARGUMENTS_BYTES)


def is_sealed(profile: QueueProfile | None) -> bool:
    return profile is not None and profile.network == "isolated"


def payload_of(row: TaskRecord) -> TaskPayload:
    return TaskPayload(
        id=row.pk,
        attempt=row.attempt,
        task_path=row.task_path,
        queue_name=row.queue_name,
        backend=row.backend_name,
        priority=row.priority,
        args=list(row.args),
        kwargs=dict(row.kwargs),
        enqueued_at=row.enqueued_at.isoformat(),
        run_after=row.run_after.isoformat() if row.run_after else None,
        worker_ids=list(row.worker_ids),
        errors=list(row.errors),
    )


def secret_for(job: dict[str, Any], payload: TaskPayload) -> dict[str, Any]:
    """The attempt's Secret: named like its Job, owned by it (deleted with it), only that pod mounts it;
    labelled like the Job, so `kubectl get secrets -l k8stasks.io/queue=...` finds it."""
    meta = job["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "labels": {
                labels.MANAGED_BY: labels.MANAGED_BY_VALUE,
                labels.QUEUE: labels.sanitize_label_value(payload.queue_name),
                labels.TASK_ID: labels.sanitize_label_value(payload.id),
                labels.ATTEMPT: str(payload.attempt),
            },
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    # False: True would need update on jobs/finalizers where OwnerReferencesPermission-
                    # Enforcement is on (OpenShift), a right the operator has no other use for.
                    "blockOwnerDeletion": False,
                }
            ],
        },
        "type": "Opaque",
        "immutable": True,
        "stringData": {PAYLOAD_KEY: payload.to_json().decode()},
    }


async def hand_over(rt: Runtime, using: str, task_id: str, job: dict[str, Any]) -> None:
    """Create the attempt's Secret for its Job (AlreadyExists: done before). The payload is loaded here,
    one at a time per slot of HANDING_OVER, and dropped once sent. Once done, not again in this process."""
    name = job["metadata"]["name"]
    if name in rt.handed:
        return
    async with HANDING_OVER:
        row = await blocking(db.full, using, task_id)
        if row is None:
            return
        body = secret_for(job, payload_of(row))
        del row
        await blocking(kube.create_secret, job["metadata"]["namespace"], body)
    rt.handed.add(name)


async def mark_running(rt: Runtime, row: TaskRecord, pod_name: str) -> None:
    """The sealed pod runs: the row says so (its pod cannot)."""
    if row.status == TaskResultStatus.READY and await blocking(row.set_running, pod_name, row.attempt):
        logger.info("task %s attempt %s runs sealed in pod %s", row.pk, row.attempt, pod_name)


def result_limits(row: TaskRecord) -> PayloadLimits:
    try:
        limits: PayloadLimits = row.get_task().get_backend().result_limits  # type: ignore[attr-defined]
        return limits
    except Exception:  # the task is not importable in the operator's image: the defaults
        return DEFAULT_RESULT_LIMITS


async def reported(
    rt: Runtime, row: TaskRecord, pods: list[dict[str, Any]], namespace: str
) -> Outcome | None:
    """The outcome the Job's pod reported about its own attempt; None if it reported none (or a bad one)."""
    pod = deciding_pod(pods)
    if pod is None:
        return None
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    terminated = next(
        ((s.get("state") or {}).get("terminated") for s in statuses if s.get("name") == "task"), None
    )
    message = (terminated or {}).get("message") or ""
    if not message:
        return None
    tail = ""
    if points_to_log(message):
        tail = await blocking(kube.log_tail, namespace, pod["metadata"]["name"], 5)
    try:
        outcome = decode(message, tail)
        check_own(outcome, row.pk, row.attempt)
    except ProtocolError as exc:
        logger.warning("task %s: pod %s reported no usable outcome: %s", row.pk, pod["metadata"]["name"], exc)
        return None
    return outcome


async def write_reported(
    rt: Runtime,
    using: str,
    row: TaskRecord,
    outcome: Outcome,
    pod_name: str,
    job: dict[str, Any],
    *,
    log_tail: str | None = None,
) -> None:
    """Write what a sealed pod reported: the value (checked against the backend's limits, as a pod with a
    database would), or its exception through the retry policy; with its log's tail, when given."""
    await mark_running(rt, row, pod_name)
    if outcome.status == "SUCCESSFUL":
        try:
            value = json_result(row.task_path, outcome.return_value, result_limits(row))
        except InvalidTaskResult as error:
            outcome = Outcome(
                row.pk,
                row.attempt,
                "FAILED",
                exception_class_path="k8s_tasks.exceptions.InvalidTaskResult",
                traceback=f"k8s_tasks.exceptions.InvalidTaskResult: {error}\n",
                reason=str(error)[:500],
                retryable=False,
            )
        else:
            if await blocking(row.set_successful, value, log_tail=log_tail):
                logger.info("task %s attempt %s succeeded (sealed pod %s)", row.pk, row.attempt, pod_name)
                await blocking(send_finished, using, row.pk)
                rt.poke()
            return
    verdict = Verdict(
        kind=outcome.exception_class_path.rsplit(".", 1)[-1],
        exception_class_path=outcome.exception_class_path,
        message=outcome.reason,
        retry="task" if outcome.retryable else None,
        traceback=outcome.traceback,
    )
    await record_outcome(rt, using, row, verdict, job, log_tail=log_tail)
