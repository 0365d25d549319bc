"""Pod status as the kubelet reports it: phase, conditions and container states (pure functions)."""

from typing import Any

from .jobstatus import TERMINAL


def waiting(reason: str, message: str = "") -> dict[str, Any]:
    state: dict[str, Any] = {"reason": reason}
    if message:
        state["message"] = message
    return {"waiting": state}


def running(started_at: str) -> dict[str, Any]:
    return {"running": {"startedAt": started_at}}


def terminated(
    exit_code: int, reason: str, message: str, started_at: str, finished_at: str
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "exitCode": exit_code,
        "reason": reason,
        "startedAt": started_at or finished_at,
        "finishedAt": finished_at,
    }
    if message:
        state["message"] = message
    return {"terminated": state}


def container_status(
    container: dict[str, Any],
    state: dict[str, Any],
    restart_count: int,
    last_state: dict[str, Any],
    cid: str,
    probed_ready: bool | None = None,
) -> dict[str, Any]:
    """``probed_ready``: the readiness probe's verdict (None: no probe, ready once running)."""
    is_running = "running" in state
    status: dict[str, Any] = {
        "name": container["name"],
        "image": container.get("image", ""),
        "imageID": "",
        "ready": is_running and probed_ready is not False,
        "started": is_running,
        "restartCount": restart_count,
        "state": state,
        "lastState": last_state,
    }
    if "waiting" not in state or restart_count:
        status["containerID"] = f"k8s-tasks-sim://{cid}"
        status["imageID"] = f"{container.get('image', '')}@sha256:{cid}"
    return status


def pod_phase(statuses: list[dict[str, Any]], restart_policy: str, stopped: bool) -> str:
    """Pending until every container has started; terminal when all have terminated and none restarts."""
    states = [s["state"] for s in statuses]
    if all("terminated" in s for s in states):
        if all(s["terminated"]["exitCode"] == 0 for s in states):
            return "Succeeded" if restart_policy != "Always" or stopped else "Running"
        return "Failed" if restart_policy == "Never" or stopped else "Running"
    if any("waiting" in s for s in states) and not any(s.get("running") for s in states):
        return "Pending" if not any("terminated" in s for s in states) else "Running"
    return "Running"


def pod_conditions(
    previous: list[dict[str, Any]], phase: str, initialized: bool, statuses: list[dict[str, Any]], now: str
) -> list[dict[str, Any]]:
    """The kubelet's conditions, keeping PodScheduled, DisruptionTarget and transition times as they were."""
    by_type = {c["type"]: c for c in previous}
    all_ready = bool(statuses) and all(s["ready"] for s in statuses)
    terminal_reason = {"Succeeded": "PodCompleted", "Failed": "PodFailed"}.get(phase)
    not_ready = [s["name"] for s in statuses if not s["ready"]]
    wanted: list[tuple[str, bool, str | None, str | None]] = [
        ("PodReadyToStartContainers", phase not in TERMINAL, None, None),
        ("Initialized", initialized, None if initialized else "ContainersNotInitialized", None),
    ]
    for kind in ("Ready", "ContainersReady"):
        if all_ready and phase not in TERMINAL:
            wanted.append((kind, True, None, None))
        else:
            reason = terminal_reason or "ContainersNotReady"
            message: str | None = (
                None if terminal_reason else f"containers with unready status: [{' '.join(not_ready)}]"
            )
            wanted.append((kind, False, reason, message))
    result = [dict(c) for c in previous if c["type"] in ("PodScheduled", "DisruptionTarget")]
    for kind, ok, why, text in wanted:
        status = "True" if ok else "False"
        old = by_type.get(kind)
        condition: dict[str, Any] = {
            "type": kind,
            "status": status,
            "lastProbeTime": None,
            "lastTransitionTime": old["lastTransitionTime"] if old and old["status"] == status else now,
        }
        if why:
            condition["reason"] = why
        if text:
            condition["message"] = text
        result.append(condition)
    return result
