"""Job and Pod dicts shaped as a real API server returns them (kube-controller-manager's Job controller,
the kubelet, the scheduler, the eviction API, the taint manager and pod GC), for the classifier tests."""

from typing import Any

JOB = "task-0b7c6f5e-3d0e-4a43-9b1e-1c0b4c7f8a11-1"
POD = JOB + "-x7k2p"
T0, T1, T2 = "2026-11-28T10:00:00Z", "2026-11-28T10:00:05Z", "2026-11-28T10:00:35Z"
LABELS = {
    "app.kubernetes.io/managed-by": "k8s-tasks",
    "k8stasks.io/task-id": "0b7c6f5e-3d0e-4a43-9b1e-1c0b4c7f8a11",
    "k8stasks.io/queue": "highmem",
    "k8stasks.io/attempt": "1",
    "batch.kubernetes.io/job-name": JOB,
    "job-name": JOB,
}
BACKOFF = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE = ("DeadlineExceeded", "Job was active longer than specified deadline")
SCHEDULER = (
    "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node "
    "affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming "
    "pod, 2 Preemption is not helpful for scheduling."
)


def job(
    failed: tuple[str, str] | None = None, *, complete: bool = False, deadline: int | None = None
) -> dict[str, Any]:
    conditions: list[dict[str, Any]] = []
    status: dict[str, Any] = {"startTime": T0, "active": 1, "ready": 0, "terminating": 0}
    if failed is not None:
        for kind in ("FailureTarget", "Failed"):
            conditions.append(
                {
                    "type": kind,
                    "status": "True",
                    "reason": failed[0],
                    "message": failed[1],
                    "lastProbeTime": T2,
                    "lastTransitionTime": T2,
                }
            )
        status.update(active=0, failed=1)
    if complete:
        for kind, reason in (
            ("SuccessCriteriaMet", "CompletionsReached"),
            ("Complete", "CompletionsReached"),
        ):
            conditions.append(
                {
                    "type": kind,
                    "status": "True",
                    "reason": reason,
                    "message": "Reached expected number of succeeded pods",
                    "lastProbeTime": T2,
                    "lastTransitionTime": T2,
                }
            )
        status.update(active=0, succeeded=1, completionTime=T2)
    if conditions:
        status["conditions"] = conditions
    spec: dict[str, Any] = {"backoffLimit": 0, "completions": 1, "parallelism": 1, "template": {}}
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": JOB,
            "namespace": "apps",
            "labels": dict(LABELS),
            "uid": "5f1c",
            "creationTimestamp": T0,
        },
        "spec": spec,
        "status": status,
    }


def pod(
    *,
    phase: str = "Failed",
    state: dict[str, Any] | None = None,
    node: str | None = "worker-highmem-1",
    conditions: list[dict[str, Any]] | None = None,
    reason: str | None = None,
    message: str | None = None,
    memory_limit: str | None = "64Mi",
    name: str = POD,
    created: str = T0,
    image: str = "myapp:1.0",
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "task", "image": image, "args": ["run", "0b7c6f5e"]}
    if memory_limit:
        container["resources"] = {"limits": {"memory": memory_limit}}
    spec: dict[str, Any] = {"containers": [container], "restartPolicy": "Never"}
    if node:
        spec["nodeName"] = node
    status: dict[str, Any] = {"phase": phase, "conditions": list(conditions or []), "startTime": T0}
    if state is not None:
        status["containerStatuses"] = [
            {
                "name": "task",
                "image": image,
                "imageID": "",
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": state,
                "lastState": {},
            }
        ]
    if reason:
        status["reason"] = reason
    if message:
        status["message"] = message
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "apps", "labels": dict(LABELS), "creationTimestamp": created},
        "spec": spec,
        "status": status,
    }


def terminated(code: int, reason: str = "Error", message: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "exitCode": code,
        "reason": reason,
        "startedAt": T1,
        "finishedAt": T2,
        "containerID": "containerd://abc",
    }
    if message:
        state["message"] = message
    return {"terminated": state}


def running() -> dict[str, Any]:
    return {"running": {"startedAt": T1}}


def waiting(reason: str, message: str | None = None) -> dict[str, Any]:
    return {"waiting": {"reason": reason, **({"message": message} if message else {})}}


def disruption(reason: str, message: str) -> dict[str, Any]:
    return {
        "type": "DisruptionTarget",
        "status": "True",
        "reason": reason,
        "message": message,
        "lastProbeTime": None,
        "lastTransitionTime": T2,
    }


def unschedulable(message: str = SCHEDULER) -> dict[str, Any]:
    return {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": message,
        "lastProbeTime": None,
        "lastTransitionTime": T0,
    }
