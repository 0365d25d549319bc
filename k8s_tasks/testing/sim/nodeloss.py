"""Node loss on the toleration clock, as the node lifecycle controller and the taint eviction controller
(the former taint manager) handle it.

A node whose kubelet stops posting status gets its conditions Unknown (``NodeStatusUnknown``, "Kubelet
stopped posting node status.") and the ``node.kubernetes.io/unreachable`` taints (NoSchedule, and
NoExecute with its timeAdded); its pods lose their Ready condition. The eviction controller then evicts
each pod on a node with NoExecute taints: at once if it tolerates not every one of them, after the
smallest ``tolerationSeconds`` of the tolerations it uses if it does (the 300 s defaults that admission
adds to every pod), never if they tolerate forever. An evicted pod gets the DisruptionTarget condition
``DeletionByTaintManager`` and is deleted (Event ``TaintManagerEviction``). On a lost node no kubelet is
left to finish it, so it is marked Failed and removed at once (upstream it lingers Terminating until
PodGC or a force delete; the Job controller counts it failed either way).
"""

import contextlib
import time
from collections.abc import Callable
from typing import Any

from ..errors import NotFound
from .events import Recorder
from .informer import Informer, Key, WorkQueue, key_of
from .jobstatus import TERMINAL
from .podstatus import terminated
from .runtime import now_stamp
from .scheduling import _tolerates

UNREACHABLE, NOT_READY = "node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"
COMPONENT = "taint-eviction-controller"


def unknown_conditions(node: dict[str, Any], stamp: str) -> None:
    """The node lifecycle controller's status write for a node that stopped posting status (in place;
    status only): every condition Unknown, ``NodeStatusUnknown``."""
    status = node["status"]
    conditions = []
    for condition in status.get("conditions") or []:
        condition = dict(condition)
        if condition.get("status") != "Unknown":
            condition.update(status="Unknown", lastTransitionTime=stamp)
        condition.update(reason="NodeStatusUnknown", message="Kubelet stopped posting node status.")
        conditions.append(condition)
    status["conditions"] = conditions


def unreachable_taints(node: dict[str, Any], stamp: str, key: str = UNREACHABLE) -> None:
    """Its taints (in place; spec): NoSchedule for the scheduler, NoExecute for the eviction controller."""
    spec = node.setdefault("spec", {})
    taints = [t for t in spec.get("taints") or [] if t.get("key") not in (UNREACHABLE, NOT_READY)]
    taints += [{"key": key, "effect": "NoSchedule"}, {"key": key, "effect": "NoExecute", "timeAdded": stamp}]
    spec["taints"] = taints


def not_ready(pod: dict[str, Any], stamp: str) -> None:
    """MarkPodsNotReady: the pod's Ready condition turns False (in place; status only)."""
    status = pod["status"]
    status["conditions"] = [
        {**c, "status": "False", "lastTransitionTime": stamp} if c.get("type") == "Ready" else c
        for c in status.get("conditions") or []
    ]


def disruption(status: dict[str, Any], stamp: str, reason: str, message: str) -> None:
    conditions = [c for c in status.get("conditions") or [] if c["type"] != "DisruptionTarget"]
    conditions.append(
        {
            "type": "DisruptionTarget",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": stamp,
            "reason": reason,
            "message": message,
        }
    )
    status["conditions"] = conditions


def fail_lost(pod: dict[str, Any], stamp: str, reason: str, message: str) -> None:
    """A pod whose node is gone: Failed, with DisruptionTarget and its containers' state unknown."""
    status = pod.setdefault("status", {})
    status["phase"] = "Failed"
    disruption(status, stamp, reason, message)
    unknown = terminated(
        137,
        "ContainerStatusUnknown",
        "The container could not be located when the pod was deleted",
        "",
        stamp,
    )
    status["containerStatuses"] = [
        cs if "terminated" in cs.get("state", {}) else {**cs, "state": unknown, "ready": False}
        for cs in status.get("containerStatuses") or []
    ]


def min_toleration(pod: dict[str, Any], taints: list[dict[str, Any]]) -> float | None:
    """Seconds a pod may stay on a node with these NoExecute taints: 0 if one is not tolerated, the
    smallest tolerationSeconds of the tolerations used, None (forever) if none of them has one."""
    used = []
    for taint in taints:
        matching = [t for t in (pod.get("spec") or {}).get("tolerations") or [] if _tolerates(t, taint)]
        if not matching:
            return 0.0
        used += matching
    seconds = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
    if not seconds:
        return None
    return float(max(0, min(seconds)))


class TaintEvictionController:
    def __init__(
        self, pods: Informer, nodes: Informer, recorder: Recorder, alive: Callable[[str], bool]
    ) -> None:
        self.pods, self.nodes, self.recorder, self.alive = pods, nodes, recorder, alive
        self.queue = WorkQueue()
        self.started: dict[Key, float] = {}  # when a pod's eviction clock started
        pods.handlers.append(self._on_pod)
        nodes.handlers.append(self._on_node)

    def _on_pod(self, kind: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind == "DELETED":
            self.started.pop(key_of(pod), None)
        elif (pod.get("spec") or {}).get("nodeName"):
            self.queue.add(key_of(pod))

    def _on_node(self, kind: str, node: dict[str, Any], old: dict[str, Any] | None) -> None:
        name = node["metadata"]["name"]
        for key, pod in self.pods.cache.items():
            if (pod.get("spec") or {}).get("nodeName") == name:
                self.queue.add(key)

    def process(self, key: Key) -> None:
        pod = self.pods.cache.get(key)
        if (
            pod is None
            or (pod.get("status") or {}).get("phase") in TERMINAL
            or pod["metadata"].get("deletionTimestamp")
        ):
            self.started.pop(key, None)
            return
        node_name = (pod.get("spec") or {}).get("nodeName")
        node = self.nodes.cache.get((None, node_name)) if node_name else None
        taints = [
            t for t in ((node or {}).get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"
        ]
        allowed = min_toleration(pod, taints) if taints else None
        if allowed is None:
            if self.started.pop(key, None) is not None:
                message = f"Cancelling deletion of Pod {key[0]}/{key[1]}"
                self.recorder.record(pod, "Normal", "TaintManagerEviction", message, COMPONENT)
            return
        now = time.monotonic()
        left = self.started.setdefault(key, now) + allowed - now
        if left > 0:
            self.queue.add_after(key, left)
            return
        self.started.pop(key, None)
        self.evict(pod, str(node_name))

    def evict(self, pod: dict[str, Any], node: str) -> None:
        namespace, name = key_of(pod)
        message = f"Marking for deletion Pod {namespace}/{name}"
        self.recorder.record(pod, "Normal", "TaintManagerEviction", message, COMPONENT)
        stamp = now_stamp()
        reason, text = "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint"
        alive = self.alive(node)  # a live kubelet stops the pod within its grace period; else nobody will

        def change(p: dict[str, Any]) -> None:
            if alive:
                disruption(p["status"], stamp, reason, text)
            else:
                fail_lost(p, stamp, reason, text)

        store = self.pods.store
        with contextlib.suppress(NotFound):
            self.pods.upsert(store.mutate(self.pods.rt, namespace, name, change, subresource="status"))
            store.delete(self.pods.rt, namespace, name, grace_period_seconds=None if alive else 0)

    async def run(self) -> None:
        await self.queue.run(self.process)
