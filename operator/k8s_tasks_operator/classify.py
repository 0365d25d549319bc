"""Why did a task's Job end without a result? Pure functions over Job and Pod dicts as the API returns them.

Each Outcome carries a stable exception class path (``k8s_tasks.exceptions.<kind>``), a message a person
can read, and the kind of retry it allows: "infrastructure" (the node or cluster took the pod away:
retried without spending the task's attempts, bounded), "task" (the task itself failed: retried only if
``retries.attempts`` allows), or None (retrying cannot help: fail now).
"""

import json
import re
import signal
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from k8s_tasks.profiles import QueueProfile
from k8s_tasks.profiles.labels import TIMEOUT_SECONDS

from .backoff import RetryKind

EXCEPTIONS = "k8s_tasks.exceptions."
CONTAINER = "task"
LOG_LINES = 20
LOG_CHARS = 2000

IMAGE_REASONS = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"})
CONFIG_REASONS = frozenset({"CreateContainerConfigError"})
_TRANSIENT_PULL = re.compile(
    r"timeout|timed out|too many requests|toomanyrequests|\b429\b|connection reset|connection refused|"
    r"temporar|TLS handshake|unexpected EOF|service unavailable|\b50[234]\b",
    re.IGNORECASE,
)
# Kubelet admission rejections: the scheduler's view raced the node's; another node may take the pod.
_ADMISSION = re.compile(r"^(OutOf.+|NodeAffinity|NodeLost|UnexpectedAdmissionError|NodeShutdown|Terminated)$")


@dataclass(frozen=True)
class Outcome:
    kind: str
    exception_class_path: str
    message: str
    retry: RetryKind | None
    traceback: str = ""
    """The error's traceback, when there is one (a sealed pod's exception); else the message stands in."""


def outcome(kind: str, message: str, retry: RetryKind | None) -> Outcome:
    return Outcome(kind, EXCEPTIONS + kind, message, retry)


# --- reading Job and Pod dicts -------------------------------------------------------------------------


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return None


def _true(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    cond = _condition(obj, kind)
    return cond if cond is not None and cond.get("status") == "True" else None


def job_failure(job: dict[str, Any]) -> dict[str, Any] | None:
    """The Failed (or, while pods terminate, FailureTarget) condition of a Job, if it has failed."""
    return _true(job, "Failed") or _true(job, "FailureTarget")


def job_finished(job: dict[str, Any]) -> bool:
    return job_failure(job) is not None or _true(job, "Complete") is not None


def deciding_pod(pods: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The pod that tells why the Job ended (fetch its log tail for classify_job).

    With backoffLimit 0 the first pod to fail failed the Job. Among Failed pods, one whose status names a
    cause (a DisruptionTarget, a pod reason, OOMKilled, an exit of its own rather than SIGTERM/SIGKILL)
    beats one merely stopped, then the oldest wins. Without a Failed pod: the newest Succeeded, else newest.
    """
    if not pods:
        return None

    def created(p: dict[str, Any]) -> tuple[str, str]:
        return (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"])

    failed = [p for p in pods if (p.get("status") or {}).get("phase") == "Failed"]
    if failed:
        return min(failed, key=lambda p: (not _names_a_cause(p), *created(p)))
    succeeded = [p for p in pods if (p.get("status") or {}).get("phase") == "Succeeded"]
    return max(succeeded or pods, key=created)


def _names_a_cause(pod: dict[str, Any]) -> bool:
    if _true(pod, "DisruptionTarget") is not None or (pod.get("status") or {}).get("reason"):
        return True
    terminated = _terminated(pod) or {}
    return terminated.get("reason") == "OOMKilled" or terminated.get("exitCode") not in (137, 143)


def _statuses(pod: dict[str, Any]) -> list[dict[str, Any]]:
    status = pod.get("status") or {}
    return list(status.get("initContainerStatuses") or []) + list(status.get("containerStatuses") or [])


def _task_status(pod: dict[str, Any]) -> dict[str, Any] | None:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return next((s for s in statuses if s.get("name") == CONTAINER), statuses[0] if statuses else None)


def _terminated(pod: dict[str, Any]) -> dict[str, Any] | None:
    status = _task_status(pod) or {}
    state = (status.get("state") or {}).get("terminated") or (status.get("lastState") or {}).get("terminated")
    return dict(state) if state else None


def _started(pod: dict[str, Any]) -> bool:
    for status in _statuses(pod):
        state = status.get("state") or {}
        if "running" in state or (state.get("terminated") or {}).get("startedAt"):
            return True
    return False


def _node(pod: dict[str, Any]) -> str:
    return str((pod.get("spec") or {}).get("nodeName") or "(unknown)")


def _memory_limit(pod: dict[str, Any] | None, profile: QueueProfile | None) -> str | None:
    for container in ((pod or {}).get("spec") or {}).get("containers") or []:
        if container.get("name") == CONTAINER:
            limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
            if limit is not None:
                return str(limit)
    if profile is not None and "memory" in profile.resources.limits:
        return str(profile.resources.limits["memory"])
    return None


def _queue(pod: dict[str, Any] | None, profile: QueueProfile | None) -> str:
    if profile is not None:
        return profile.queue_name
    return str(((pod or {}).get("metadata") or {}).get("labels", {}).get("k8stasks.io/queue", "?"))


def _tail(text: str | None) -> str:
    lines = (text or "").strip().splitlines()[-LOG_LINES:]
    joined = "\n".join(lines)
    return joined[-LOG_CHARS:]


def _reason_message(reason: str | None, message: str | None) -> str:
    return f"{reason}: {message}" if reason and message else str(reason or message or "")


# --- pending pods ----------------------------------------------------------------------------------------


def pending_reason(pod: dict[str, Any]) -> str | None:
    """Why a pod has not started: the scheduler's message, or a waiting container's reason and message."""
    if (pod.get("status") or {}).get("phase", "Pending") != "Pending":
        return None
    scheduled = _condition(pod, "PodScheduled")
    if scheduled is not None and scheduled.get("status") == "False":
        return _reason_message(scheduled.get("reason") or "Unschedulable", scheduled.get("message"))
    for status in _statuses(pod):
        waiting = (status.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            return _reason_message(waiting["reason"], waiting.get("message"))
    return None


ROUTINE_WAITING = ("ContainerCreating", "PodInitializing")
"""Waiting reasons every pod passes through on its way to running: not worth a database write."""


def pending_news(pod: dict[str, Any]) -> str | None:
    """pending_reason, unless it is only the routine step every pod takes before it runs."""
    reason = pending_reason(pod)
    return None if reason is None or reason.startswith(ROUTINE_WAITING) else reason


def is_hopeless_waiting(pod: dict[str, Any]) -> Outcome | None:
    """A container that can never start (bad image, missing Secret): fail the task now, not at a timeout."""
    for status in _statuses(pod):
        waiting = (status.get("state") or {}).get("waiting") or {}
        reason, message = waiting.get("reason"), waiting.get("message") or ""
        if reason in IMAGE_REASONS:
            image = status.get("image") or _spec_image(pod, status.get("name"))
            transient = reason == "ErrImagePull" and _TRANSIENT_PULL.search(message) is not None
            text = f"Image pull failed for {image!r}: {_reason_message(reason, message)}"
            return outcome("ImagePullFailed", text, "infrastructure" if transient else None)
        if reason in CONFIG_REASONS:
            text = f"Container {status.get('name')!r} cannot be created: {_reason_message(reason, message)}"
            return outcome("ContainerConfigError", text, None)
    return None


def _spec_image(pod: dict[str, Any], name: str | None) -> str:
    spec = pod.get("spec") or {}
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if container.get("name") == name:
            return str(container.get("image", "?"))
    return "?"


def pending_expired(pending_since: datetime, now: datetime, profile: QueueProfile) -> bool:
    """True once a pod has waited longer than the queue's maxPendingSeconds (never if that is unset)."""
    if profile.max_pending_seconds is None:
        return False
    return (now - pending_since).total_seconds() > profile.max_pending_seconds


# --- finished Jobs -----------------------------------------------------------------------------------------


def _disruption(pod: dict[str, Any]) -> Outcome | None:
    cond = _true(pod, "DisruptionTarget")
    status = pod.get("status") or {}
    node = _node(pod)
    if cond is None:
        if status.get("reason") == "Evicted":
            return outcome(
                "PodEvicted", f"Evicted from node {node}: {status.get('message', '')}", "infrastructure"
            )
        if status.get("reason") and _ADMISSION.match(status["reason"]) and not _started(pod):
            text = f"Rejected by node {node}: {_reason_message(status['reason'], status.get('message'))}"
            return outcome("PodFailed", text, "infrastructure")
        return None
    reason, message = cond.get("reason", ""), cond.get("message", "")
    if reason == "PreemptionByScheduler":
        return outcome("PodPreempted", f"Preempted on node {node}: {message}", "infrastructure")
    if reason in ("DeletionByTaintManager", "DeletionByPodGC"):
        return outcome("NodeLost", f"Node {node} was lost: {message}", "infrastructure")
    if reason == "EvictionByEvictionAPI" or status.get("reason") == "Evicted":
        detail = status.get("message") if status.get("reason") == "Evicted" else message
        return outcome("PodEvicted", f"Evicted from node {node}: {detail}", "infrastructure")
    text = f"Terminated on node {node}: {_reason_message(reason, status.get('message') or message)}"
    return outcome("PodTerminated", text, "infrastructure")


def _timeout_seconds(job: dict[str, Any], profile: QueueProfile | None) -> Any:
    """The queue's timeoutSeconds the Job ran under: its annotation (the Job's activeDeadlineSeconds is a
    second more, see k8s_tasks.profiles.job), else the profile's, else the deadline itself."""
    annotated = ((job.get("metadata") or {}).get("annotations") or {}).get(TIMEOUT_SECONDS)
    if annotated:
        return annotated
    return (profile and profile.timeout_seconds) or (job.get("spec") or {}).get("activeDeadlineSeconds")


def runner_reason(message: str | None) -> str:
    """The reason in the runner's own summary (its termination message: one JSON object with the task's
    id, a status and a reason), e.g. why Django could not start in the pod; "" when there is none."""
    try:
        summary = json.loads(message or "")
    except ValueError:
        return ""
    if not isinstance(summary, dict) or "k8s-tasks-outcome" in summary or "id" not in summary:
        return ""
    reason = summary.get("reason")
    return " ".join(reason.split()) if isinstance(reason, str) and summary.get("status") else ""


def _exit(terminated: dict[str, Any], log_tail: str | None) -> Outcome:
    code = int(terminated.get("exitCode", -1))
    own = runner_reason(terminated.get("message"))
    tail = _tail(log_tail) or ("" if own else _tail(terminated.get("message")))
    logs = f" Last log lines:\n{tail}" if tail else " It wrote no log output."
    if own:
        return outcome("PodFailed", f"Exited with code {code} and wrote no result: {own}{logs}", "task")
    if code > 128 and code - 128 in {s.value for s in signal.Signals}:
        name = signal.Signals(code - 128).name
        return outcome(
            "PodTerminated", f"Killed by {name} (exit code {code}) and wrote no result.{logs}", "task"
        )
    return outcome("PodFailed", f"Exited with code {code} and wrote no result.{logs}", "task")


def classify_job(
    job: dict[str, Any],
    pods: list[dict[str, Any]],
    profile: QueueProfile | None,
    *,
    log_tail: str | None = None,
) -> Outcome | None:
    """Why the task of ``job`` ended without writing a final row; None while there is nothing to decide.

    ``pods`` are the Job's pods as last seen (possibly none: deleted or garbage-collected); ``log_tail``
    is the end of the task container's log, fetched by the caller (else the termination message, which
    FallbackToLogsOnError fills with the log's end, is used).
    """
    pod = deciding_pod(pods)
    if not job_finished(job):
        return is_hopeless_waiting(pod) if pod is not None else None
    failure = job_failure(job) or {}
    queue = _queue(pod, profile)
    terminated = _terminated(pod) if pod is not None else None
    if (terminated or {}).get("reason") == "OOMKilled" or (pod or {}).get("status", {}).get(
        "reason"
    ) == "OOMKilled":
        limit = _memory_limit(pod, profile)
        what = f"its memory limit of {limit}" if limit else "the memory available (no memory limit is set)"
        return outcome("PodOOMKilled", f"OOMKilled: the container exceeded {what} (queue {queue})", "task")
    pod_deadline = (pod or {}).get("status", {}).get("reason") == "DeadlineExceeded"
    if failure.get("reason") == "DeadlineExceeded" or pod_deadline:
        timeout = _timeout_seconds(job, profile)
        if pod is not None and not _started(pod):
            waiting = pending_reason(pod) or "the pod never started"
            text = f"Deadline exceeded before the task started (timeoutSeconds={timeout}): {waiting}"
            return outcome("PodUnschedulable", text, None)
        return outcome(
            "PodDeadlineExceeded",
            f"Deadline exceeded: the task ran longer than timeoutSeconds={timeout}",
            "task",
        )
    if pod is None:
        why = _reason_message(failure.get("reason"), failure.get("message")) or "no condition"
        return outcome(
            "PodFailed", f"The Job failed ({why}) and its pod is gone; no result was written", "task"
        )
    found = _disruption(pod) or is_hopeless_waiting(pod)
    if found is not None:
        return found
    if not _started(pod) and terminated is None:
        why = pending_reason(pod) or _reason_message(failure.get("reason"), failure.get("message"))
        return outcome("PodUnschedulable", f"The pod never started: {why}", None)
    if terminated is not None:
        return _exit(terminated, log_tail)
    text = _reason_message(failure.get("reason"), failure.get("message")) or "the Job ended"
    return outcome("PodFailed", f"{text}; the pod wrote no result", "task")
