"""The scheduler: binds Pending pods to nodes, or marks them Unschedulable with the real message.

Event-driven: a pod is considered when it appears; unschedulable pods are retried when a node appears or
changes, or when a placed pod frees its resources. Node usage, the nodes' parsed allocatable resources
and their order are kept incrementally. A pod is bound as the binding subresource does it: spec.nodeName
and the PodScheduled condition in one write.
"""

import contextlib
from datetime import UTC, datetime
from typing import Any

from ..errors import NotFound
from .events import Recorder
from .informer import Informer, Key, WorkQueue, key_of
from .jobstatus import TERMINAL, timestamp
from .scheduling import Resources, add_usage, choose_node, node_allocatable, pod_requests

COMPONENT = "default-scheduler"


def _wants_scheduling(pod: dict[str, Any]) -> bool:
    spec = pod.get("spec") or {}
    return (
        not spec.get("nodeName")
        and spec.get("schedulerName", COMPONENT) == COMPONENT
        and (pod.get("status") or {}).get("phase", "Pending") not in TERMINAL
        and not pod["metadata"].get("deletionTimestamp")
    )


class Scheduler:
    def __init__(self, pods: Informer, nodes: Informer, recorder: Recorder) -> None:
        self.pods, self.nodes, self.recorder = pods, nodes, recorder
        self.queue = WorkQueue()
        self.usage: dict[str, Resources] = {}
        self._placed: dict[Key, tuple[str, Resources]] = {}
        self._unschedulable: set[Key] = set()
        self._allocatable: dict[str, Resources] = {}
        self._sorted_nodes: list[dict[str, Any]] | None = None
        self._binding: tuple[Key, Resources] | None = None  # the pod being bound and its requests
        pods.handlers.append(self._on_pod)
        nodes.handlers.append(self._on_node)

    def _on_pod(self, kind: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        key = key_of(pod)
        node: str = (pod.get("spec") or {}).get("nodeName") or ""
        holds = kind != "DELETED" and bool(node) and (pod.get("status") or {}).get("phase") not in TERMINAL
        if holds and key not in self._placed:
            binding = self._binding
            requests = binding[1] if binding is not None and binding[0] == key else pod_requests(pod)
            self._placed[key] = (node, requests)
            add_usage(self.usage.setdefault(node, {}), requests)
        elif not holds and key in self._placed:
            placed_on, requests = self._placed.pop(key)
            add_usage(self.usage.setdefault(placed_on, {}), requests, -1)
            self._retry_unschedulable()
        if kind == "DELETED":
            self._unschedulable.discard(key)
        elif _wants_scheduling(pod) and key not in self._unschedulable:
            self.queue.add(key)

    def _on_node(self, kind: str, node: dict[str, Any], old: dict[str, Any] | None) -> None:
        name = node["metadata"]["name"]
        self._sorted_nodes = None
        if kind == "DELETED":
            self.usage.pop(name, None)
            self._allocatable.pop(name, None)
        else:
            self._allocatable[name] = node_allocatable(node)
            self._retry_unschedulable()

    def _retry_unschedulable(self) -> None:
        for key in self._unschedulable:
            self.queue.add(key)
        self._unschedulable.clear()

    def schedule(self, key: Key) -> None:
        pod = self.pods.cache.get(key)
        if pod is None or not _wants_scheduling(pod):
            return
        namespace, name = key
        if self._sorted_nodes is None:
            self._sorted_nodes = sorted(self.nodes.cache.values(), key=lambda n: n["metadata"]["name"])
        requests = pod_requests(pod)
        node, message = choose_node(
            pod, self._sorted_nodes, self.usage, requests=requests, allocatable=self._allocatable
        )
        stamp = timestamp_now()
        if node is None:
            self._unschedulable.add(key)
            previous = _scheduled_condition(pod)
            if previous and previous.get("message") == message:
                return
            condition = {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": stamp,
                "reason": "Unschedulable",
                "message": message,
            }
            updated = self.pods.store.mutate(
                self.pods.rt,
                namespace,
                name,
                lambda p: _set_condition(p, condition, "Pending"),
                subresource="status",
            )
            self.pods.upsert(updated)
            self.recorder.record(pod, "Warning", "FailedScheduling", message, COMPONENT)
            return

        condition = {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": stamp,
        }

        def bind(p: dict[str, Any]) -> None:
            p["spec"]["nodeName"] = node
            _set_condition(p, condition, "Pending")

        updated = self.pods.store.mutate(self.pods.rt, namespace, name, bind, subresource="binding")
        self._binding = (key, requests)
        try:
            self.pods.upsert(updated)
        finally:
            self._binding = None
        self.recorder.record(
            pod, "Normal", "Scheduled", f"Successfully assigned {namespace}/{name} to {node}", COMPONENT
        )

    async def run(self) -> None:
        await self.queue.run(self._schedule_safely)

    def _schedule_safely(self, key: Key) -> None:
        with contextlib.suppress(NotFound):  # deleted meanwhile
            self.schedule(key)


def timestamp_now() -> str:
    return timestamp(datetime.now(UTC))


def _scheduled_condition(pod: dict[str, Any]) -> dict[str, Any] | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "PodScheduled":
            return dict(cond)
    return None


def _set_condition(pod: dict[str, Any], condition: dict[str, Any], phase: str) -> None:
    status = pod.setdefault("status", {})
    status.setdefault("phase", phase)
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != condition["type"]]
    conditions.append(condition)
    status["conditions"] = conditions
