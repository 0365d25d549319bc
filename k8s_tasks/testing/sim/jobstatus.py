"""The Job controller's decisions as a pure function: which pods to create or delete, and the new status.

Mirrors kube-controller-manager's Job controller as of Kubernetes 1.31+: FailureTarget / SuccessCriteriaMet
are added first, the terminal Failed / Complete condition only once no pod is active or terminating.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import objects

TERMINAL = ("Succeeded", "Failed")
BACKOFF_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"
COMPLETE_REASON, COMPLETE_MESSAGE = "CompletionsReached", "Reached expected number of succeeded pods"


@dataclass
class JobPlan:
    status: dict[str, Any]
    create: int = 0
    delete: list[str] = field(default_factory=list)
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (type, reason, message)
    counted: set[str] = field(default_factory=set)  # pod uids whose outcome is now in the status
    recheck_after: float | None = None  # seconds; deadline or backoff timer
    finished: bool = False


def timestamp(moment: datetime) -> str:
    return objects.stamp(moment.timestamp())


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def condition_true(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind and cond.get("status") == "True":
            return dict(cond)
    return None


def is_finished(job: dict[str, Any]) -> bool:
    return condition_true(job, "Complete") is not None or condition_true(job, "Failed") is not None


def _is_ready(pod: dict[str, Any]) -> bool:
    return condition_true(pod, "Ready") is not None


def _terminated_exit_codes(pod: dict[str, Any]) -> list[tuple[str, int]]:
    status = pod.get("status") or {}
    result = []
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        terminated = (cs.get("state") or {}).get("terminated")
        if terminated is not None and terminated.get("exitCode", 0) != 0:
            result.append((cs.get("name", ""), int(terminated["exitCode"])))
    return result


def failure_action(job: dict[str, Any], pod: dict[str, Any]) -> tuple[str, str]:
    """("Count" | "Ignore" | "FailJob", message) for a failed pod, by the Job's podFailurePolicy."""
    pod_ref = f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}"
    rules = ((job.get("spec") or {}).get("podFailurePolicy") or {}).get("rules") or []
    for index, rule in enumerate(rules):
        action = rule.get("action", "Count")
        on_codes = rule.get("onExitCodes")
        if on_codes:
            values = set(on_codes.get("values") or [])
            for container, code in _terminated_exit_codes(pod):
                if on_codes.get("containerName") and on_codes["containerName"] != container:
                    continue
                if (code in values) == (on_codes.get("operator", "In") == "In"):
                    return action, (
                        f"Container {container} for pod {pod_ref} failed with exit code {code} "
                        f"matching {action} rule at index {index}"
                    )
        for pattern in rule.get("onPodConditions") or []:
            for cond in (pod.get("status") or {}).get("conditions") or []:
                if cond.get("type") == pattern.get("type") and cond.get("status") == pattern.get(
                    "status", "True"
                ):
                    return action, (
                        f"Pod {pod_ref} has condition {cond['type']} matching {action} rule at index {index}"
                    )
    return "Count", ""


def _condition(kind: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True",
        "lastProbeTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def plan_job(
    job: dict[str, Any],
    pods: list[dict[str, Any]],
    counted: set[str],
    now: datetime,
    *,
    last_failure: datetime | None = None,
    backoff_base: float = 1.0,
    backoff_cap: float = 60.0,
) -> JobPlan:
    """Decide one reconcile of a Job from its pods (a vanished non-terminal pod is passed as Failed)."""
    spec = job.get("spec") or {}
    status: dict[str, Any] = dict(job.get("status") or {})
    conditions: list[dict[str, Any]] = [dict(c) for c in status.get("conditions") or []]
    plan = JobPlan(status=status, counted=set(counted))
    stamp = timestamp(now)

    def has(kind: str) -> dict[str, Any] | None:
        return next((c for c in conditions if c["type"] == kind and c["status"] == "True"), None)

    running = [p for p in pods if (p.get("status") or {}).get("phase") not in TERMINAL]
    terminating = [p for p in running if p["metadata"].get("deletionTimestamp")]
    active = [p for p in running if not p["metadata"].get("deletionTimestamp")]

    if has("Complete") or has("Failed"):
        plan.delete = [p["metadata"]["name"] for p in active]
        plan.finished = True
        return plan

    # Count the outcomes not yet in the status.
    fail_job: str | None = None
    for pod in pods:
        uid, phase = (
            pod["metadata"].get("uid", pod["metadata"]["name"]),
            (pod.get("status") or {}).get("phase"),
        )
        if phase not in TERMINAL or uid in counted:
            continue
        plan.counted.add(uid)
        if phase == "Succeeded":
            status["succeeded"] = status.get("succeeded", 0) + 1
            continue
        action, message = failure_action(job, pod)
        if action == "Ignore":
            continue
        status["failed"] = status.get("failed", 0) + 1
        if action == "FailJob" and fail_job is None:
            fail_job = message

    if spec.get("suspend"):
        plan.delete = [p["metadata"]["name"] for p in active]
        if not has("Suspended"):
            conditions = [c for c in conditions if c["type"] != "Suspended"]
            conditions.append(_condition("Suspended", "JobSuspended", "Job suspended", stamp))
            plan.events.append(("Normal", "Suspended", "Job suspended"))
        status.pop("startTime", None)
        active = []
    else:
        if has("Suspended"):
            conditions = [c for c in conditions if c["type"] != "Suspended"]
            conditions.append(
                {**_condition("Suspended", "JobResumed", "Job resumed", stamp), "status": "False"}
            )
            plan.events.append(("Normal", "Resumed", "Job resumed"))
        status.setdefault("startTime", stamp)

    failed, succeeded = status.get("failed", 0), status.get("succeeded", 0)
    restarts = 0
    if (spec.get("template") or {}).get("spec", {}).get("restartPolicy") == "OnFailure":
        for pod in active:
            for cs in (pod.get("status") or {}).get("containerStatuses") or []:
                restarts += int(cs.get("restartCount", 0))
    backoff_limit = spec.get("backoffLimit", 6)
    completions = spec.get("completions")
    parallelism = spec.get("parallelism", 1)
    started = parse_time(status.get("startTime"))
    deadline = spec.get("activeDeadlineSeconds")

    target = has("FailureTarget")
    if target is None and not spec.get("suspend"):
        failure: tuple[str, str] | None = None
        if fail_job is not None:
            failure = ("PodFailurePolicy", fail_job)
        elif failed + restarts > backoff_limit:
            failure = ("BackoffLimitExceeded", BACKOFF_MESSAGE)
        elif deadline is not None and started and (now - started).total_seconds() >= deadline:
            failure = ("DeadlineExceeded", DEADLINE_MESSAGE)
        if failure is not None:
            target = _condition("FailureTarget", failure[0], failure[1], stamp)
            conditions.append(target)
    if target is not None:
        plan.delete = [p["metadata"]["name"] for p in active]
        if not running:
            conditions.append(_condition("Failed", target["reason"], target["message"], stamp))
            plan.events.append(("Warning", target["reason"], target["message"]))
            plan.finished = True
        active = []
    else:
        success = has("SuccessCriteriaMet")
        done = succeeded >= completions if completions is not None else succeeded > 0 and not active
        if success is None and done:
            success = _condition("SuccessCriteriaMet", COMPLETE_REASON, COMPLETE_MESSAGE, stamp)
            conditions.append(success)
        if success is not None:
            plan.delete = [p["metadata"]["name"] for p in active]
            if not running:
                conditions.append(_condition("Complete", COMPLETE_REASON, COMPLETE_MESSAGE, stamp))
                status["completionTime"] = stamp
                plan.events.append(("Normal", "Completed", "Job completed"))
                plan.finished = True
            active = []
        elif not spec.get("suspend"):
            wanted = parallelism if completions is None else min(parallelism, completions - succeeded)
            if completions is None and succeeded > 0:
                wanted = 0
            replacing = spec.get("podReplacementPolicy") or (
                "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed"
            )
            occupied = len(active) + (len(terminating) if replacing == "Failed" else 0)
            if wanted > occupied:
                delay = 0.0
                if failed and last_failure is not None and backoff_base > 0:
                    backoff = min(backoff_cap, backoff_base * 2 ** (failed - 1))
                    delay = backoff - (now - last_failure).total_seconds()
                if delay > 0:
                    plan.recheck_after = delay
                else:
                    plan.create = wanted - occupied
            elif wanted < len(active):
                newest = sorted(active, key=lambda p: p["metadata"].get("creationTimestamp", ""))
                plan.delete = [p["metadata"]["name"] for p in newest[wanted:]]
            if deadline is not None and started:
                remaining = deadline - (now - started).total_seconds()
                plan.recheck_after = min(plan.recheck_after or remaining, remaining)

    status["conditions"] = conditions
    if not conditions:
        status.pop("conditions")
    kept = [p for p in active if p["metadata"]["name"] not in plan.delete]
    status["active"] = len(kept) + plan.create
    status["ready"] = sum(1 for p in kept if _is_ready(p))
    status["terminating"] = len(terminating) + len(plan.delete)
    status.setdefault("uncountedTerminatedPods", {})
    for key in ("active", "failed", "succeeded"):
        if not status.get(key):
            status.pop(key, None)
    return plan
