"""The ReplicaSet controller: keeps spec.replicas active pods from the template (creating the missing ones,
deleting the extra ones, least useful first) and reports replicas, ready and available pods."""

from datetime import UTC, datetime
from typing import Any

from ..errors import ApiError, NotFound
from ..objects import clone, parse_time
from .events import Recorder
from .informer import Informer, Key, WorkQueue, key_of
from .jobstatus import TERMINAL
from .rollout import spec_replicas

COMPONENT = "replicaset-controller"
_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def controller_ref(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return dict(ref)
    return None


def ready_since(pod: dict[str, Any]) -> str | None:
    """When the pod became Ready (its Ready condition's lastTransitionTime), if it is Ready."""
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            return str(condition.get("lastTransitionTime") or "")
    return None


def is_active(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") not in TERMINAL and not pod["metadata"].get(
        "deletionTimestamp"
    )


def pod_from_template(rs: dict[str, Any]) -> dict[str, Any]:
    meta = rs["metadata"]
    template = rs["spec"].get("template") or {}
    tmeta = template.get("metadata") or {}
    owner = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    pod_meta: dict[str, Any] = {
        "generateName": f"{meta['name']}-",
        "namespace": meta.get("namespace"),
        "labels": dict(tmeta.get("labels") or {}),
        "ownerReferences": [owner],
    }
    if tmeta.get("annotations"):
        pod_meta["annotations"] = dict(tmeta["annotations"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": pod_meta,
        "spec": clone(template.get("spec") or {}),
    }


def _deletion_rank(pod: dict[str, Any]) -> tuple[int, int, int, float]:
    """ActivePodsWithRanks: unscheduled, then pending, then not ready go first; newer before older."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    created = parse_time(pod["metadata"].get("creationTimestamp"))
    return (
        1 if spec.get("nodeName") else 0,
        _PHASE_RANK.get(status.get("phase") or "Pending", 0),
        1 if ready_since(pod) is not None else 0,
        -created.timestamp() if created is not None else 0.0,
    )


def replica_set_status(rs: dict[str, Any], active: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    min_ready = int(rs["spec"].get("minReadySeconds") or 0)
    wanted = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    ready = available = labelled = 0
    for pod in active:
        labels = pod["metadata"].get("labels") or {}
        labelled += all(labels.get(k) == v for k, v in wanted.items())
        since = ready_since(pod)
        if since is None:
            continue
        ready += 1
        became = parse_time(since)
        available += min_ready == 0 or (became is not None and (now - became).total_seconds() >= min_ready)
    counts = {
        "fullyLabeledReplicas": labelled,
        "readyReplicas": ready,
        "availableReplicas": available,
        "observedGeneration": int(rs["metadata"].get("generation") or 1),
    }
    status: dict[str, Any] = {"replicas": len(active), **{k: v for k, v in counts.items() if v}}
    previous = (rs.get("status") or {}).get("conditions")
    if previous:
        status["conditions"] = previous
    return status


class ReplicaSetController:
    def __init__(self, replicasets: Informer, pods: Informer, recorder: Recorder) -> None:
        self.replicasets, self.pods, self.recorder = replicasets, pods, recorder
        self.queue = WorkQueue()
        self._pods_of: dict[Key, set[Key]] = {}
        replicasets.handlers.append(self._on_replica_set)
        pods.handlers.append(self._on_pod)

    def _on_replica_set(self, kind: str, rs: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind == "DELETED":
            self._pods_of.pop(key_of(rs), None)
        else:
            self.queue.add(key_of(rs))

    def _on_pod(self, kind: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        ref = controller_ref(pod, "ReplicaSet")
        if ref is None:
            return
        owner: Key = (pod["metadata"].get("namespace"), ref["name"])
        if kind == "DELETED":
            self._pods_of.get(owner, set()).discard(key_of(pod))
        else:
            self._pods_of.setdefault(owner, set()).add(key_of(pod))
        self.queue.add(owner)

    async def run(self) -> None:
        await self.queue.run(self.reconcile)

    def _owned(self, key: Key, uid: str) -> list[dict[str, Any]]:
        pods = []
        for pod_key in self._pods_of.get(key, ()):
            pod = self.pods.cache.get(pod_key)
            if pod is not None and (controller_ref(pod, "ReplicaSet") or {}).get("uid") == uid:
                pods.append(pod)
        return pods

    def reconcile(self, key: Key) -> None:
        rs = self.replicasets.cache.get(key)
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return
        active = [p for p in self._owned(key, rs["metadata"]["uid"]) if is_active(p)]
        diff = len(active) - spec_replicas(rs)
        if diff < 0:
            self._create(rs, -diff)
        elif diff > 0:
            for pod in sorted(active, key=_deletion_rank)[:diff]:
                self._delete(rs, pod)
        now = datetime.now(UTC)
        status = replica_set_status(rs, active, now)
        if status != (rs.get("status") or {}):

            def write(obj: dict[str, Any]) -> None:
                obj["status"] = status

            namespace, name = key
            self.replicasets.upsert(
                self.replicasets.store.mutate(
                    self.replicasets.rt, namespace, name, write, subresource="status"
                )
            )
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        if min_ready and status.get("availableReplicas", 0) < status.get("readyReplicas", 0):
            self.queue.add_after(key, 1.0)

    def _create(self, rs: dict[str, Any], count: int) -> None:
        namespace = rs["metadata"].get("namespace")
        for _ in range(count):
            try:
                created = self.pods.store.create(
                    self.pods.rt, pod_from_template(rs), namespace, copy=False, check=False
                )
            except ApiError as exc:
                self.recorder.record(
                    rs, "Warning", "FailedCreate", f"Error creating: {exc.message}", COMPONENT
                )
                self.queue.add_after(key_of(rs), 5.0)
                return
            self.pods.upsert(created)
            name = created["metadata"]["name"]
            self.recorder.record(rs, "Normal", "SuccessfulCreate", f"Created pod: {name}", COMPONENT)

    def _delete(self, rs: dict[str, Any], pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        try:
            deleted = self.pods.store.delete(self.pods.rt, meta.get("namespace"), meta["name"])
        except NotFound:
            return
        if self.pods.store.stored_or_none(self.pods.rt, meta.get("namespace"), meta["name"]) is not None:
            self.pods.upsert(deleted)
        self.recorder.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {meta['name']}", COMPONENT)
