"""The Deployment controller: one ReplicaSet per pod template (named with its pod-template-hash), rolling
updates within maxSurge/maxUnavailable or Recreate, old ReplicaSets pruned past revisionHistoryLimit, and
the Deployment's status and revision. Decisions are in ``rollout`` and ``deploystatus``."""

import contextlib
from datetime import UTC, datetime
from typing import Any

from ..errors import AlreadyExists, ApiError, NotFound
from ..objects import now_iso
from .deploystatus import COMPLETE, deployment_status
from .events import Recorder
from .informer import Informer, Key, WorkQueue, key_of
from .replicasets import controller_ref
from .rollout import (
    DESIRED,
    MAX_REPLICAS,
    REVISION,
    fenceposts,
    new_replica_set,
    new_rs_replicas,
    old_scale_downs,
    revision_of,
    rolling_update,
    spec_replicas,
    template_hash,
    without_hash,
)

COMPONENT = "deployment-controller"


class DeploymentController:
    def __init__(self, deployments: Informer, replicasets: Informer, recorder: Recorder) -> None:
        self.deployments, self.replicasets, self.recorder = deployments, replicasets, recorder
        self.store = deployments.store
        self.queue = WorkQueue()
        deployments.handlers.append(self._on_deployment)
        replicasets.handlers.append(self._on_replica_set)

    def _on_deployment(self, kind: str, deployment: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind != "DELETED":
            self.queue.add(key_of(deployment))

    def _on_replica_set(self, kind: str, rs: dict[str, Any], old: dict[str, Any] | None) -> None:
        ref = controller_ref(rs, "Deployment")
        if ref is not None:
            self.queue.add((rs["metadata"].get("namespace"), ref["name"]))

    async def run(self) -> None:
        await self.queue.run(self.reconcile)

    def _owned(self, deployment: dict[str, Any]) -> list[dict[str, Any]]:
        meta = deployment["metadata"]
        return [
            rs
            for (namespace, _), rs in self.replicasets.cache.items()
            if namespace == meta.get("namespace")
            and (controller_ref(rs, "Deployment") or {}).get("uid") == meta["uid"]
            and not rs["metadata"].get("deletionTimestamp")
        ]

    def reconcile(self, key: Key) -> None:
        deployment = self.deployments.cache.get(key)
        if deployment is None or deployment["metadata"].get("deletionTimestamp"):
            return
        spec = deployment["spec"]
        owned = self._owned(deployment)
        template = spec.get("template") or {}
        new_rs = next(
            (rs for rs in owned if without_hash(rs["spec"].get("template") or {}) == template), None
        )
        old_rss = [rs for rs in owned if rs is not new_rs]
        created = False
        if new_rs is None and not spec.get("paused"):
            new_rs = self._create_replica_set(deployment, owned)
            if new_rs is None:
                return
            created = True
        elif new_rs is not None:
            new_rs = self._promote(new_rs, old_rss)
        if new_rs is not None and not spec.get("paused"):
            if rolling_update(deployment):
                new_rs, old_rss = self._roll(deployment, new_rs, old_rss)
            else:
                new_rs, old_rss = self._recreate(deployment, new_rs, old_rss)
            self._prune(deployment, old_rss)
        self._write(deployment, new_rs, old_rss, created)

    # -- ReplicaSets --------------------------------------------------------------------------------
    def _create_replica_set(
        self, deployment: dict[str, Any], owned: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        collisions = (deployment.get("status") or {}).get("collisionCount")
        pod_hash = template_hash(deployment["spec"].get("template") or {}, collisions)
        revision = max((revision_of(rs) for rs in owned), default=0) + 1
        replicas = new_rs_replicas(deployment, owned, None)
        rs = new_replica_set(deployment, pod_hash, revision, replicas)
        namespace = deployment["metadata"].get("namespace")
        try:
            stored = self.store.create(self.replicasets.rt, rs, namespace, copy=False, check=False)
        except AlreadyExists:  # a hash collision: count it, and the next hash differs
            self._bump_collisions(deployment)
            return None
        except ApiError as exc:
            message = f"Failed to create new replica set {rs['metadata']['name']!r}: {exc.message}"
            self.recorder.record(deployment, "Warning", "ReplicaSetCreateError", message, COMPONENT)
            self.queue.add_after(key_of(deployment), 5.0)
            return None
        self.replicasets.upsert(stored)
        if replicas:
            message = f"Scaled up replica set {stored['metadata']['name']} from 0 to {replicas}"
            self.recorder.record(deployment, "Normal", "ScalingReplicaSet", message, COMPONENT)
        return stored

    def _bump_collisions(self, deployment: dict[str, Any]) -> None:
        def bump(obj: dict[str, Any]) -> None:
            status = dict(obj.get("status") or {})
            status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
            obj["status"] = status

        meta = deployment["metadata"]
        with contextlib.suppress(NotFound):
            self.deployments.upsert(
                self.store.mutate(
                    self.deployments.rt, meta.get("namespace"), meta["name"], bump, subresource="status"
                )
            )
        self.queue.add(key_of(deployment))

    def _promote(self, new_rs: dict[str, Any], old_rss: list[dict[str, Any]]) -> dict[str, Any]:
        """A ReplicaSet whose template is current again (a rollback) gets the next revision."""
        newest = max((revision_of(rs) for rs in old_rss), default=0)
        if revision_of(new_rs) > newest:
            return new_rs
        return self._update(new_rs, annotations={REVISION: str(newest + 1)})

    def _update(
        self, rs: dict[str, Any], *, replicas: int | None = None, annotations: dict[str, str] | None = None
    ) -> dict[str, Any]:
        def edit(obj: dict[str, Any]) -> None:
            if replicas is not None:
                obj["spec"]["replicas"] = replicas
            if annotations:
                obj["metadata"]["annotations"] = {**(obj["metadata"].get("annotations") or {}), **annotations}

        meta = rs["metadata"]
        try:
            stored = self.store.mutate(self.replicasets.rt, meta.get("namespace"), meta["name"], edit)
        except NotFound:
            return rs
        self.replicasets.upsert(stored)
        return stored

    def _scale(self, deployment: dict[str, Any], rs: dict[str, Any], replicas: int) -> dict[str, Any]:
        current = spec_replicas(rs)
        if current == replicas:
            return rs
        surge = fenceposts(deployment)[0] if rolling_update(deployment) else 0
        desired = spec_replicas(deployment)
        notes = {DESIRED: str(desired), MAX_REPLICAS: str(desired + surge)}
        updated = self._update(rs, replicas=replicas, annotations=notes)
        direction = "up" if replicas > current else "down"
        message = f"Scaled {direction} replica set {rs['metadata']['name']} from {current} to {replicas}"
        self.recorder.record(deployment, "Normal", "ScalingReplicaSet", message, COMPONENT)
        return updated

    def _roll(
        self, deployment: dict[str, Any], new_rs: dict[str, Any], old_rss: list[dict[str, Any]]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        desired = spec_replicas(deployment)
        target = (
            desired
            if spec_replicas(new_rs) > desired
            else new_rs_replicas(deployment, [*old_rss, new_rs], new_rs)
        )
        new_rs = self._scale(deployment, new_rs, target)
        downs = old_scale_downs(deployment, [*old_rss, new_rs], old_rss, new_rs)
        old_rss = [
            self._scale(deployment, rs, downs[rs["metadata"]["name"]])
            if rs["metadata"]["name"] in downs
            else rs
            for rs in old_rss
        ]
        return new_rs, old_rss

    def _recreate(
        self, deployment: dict[str, Any], new_rs: dict[str, Any], old_rss: list[dict[str, Any]]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        old_rss = [self._scale(deployment, rs, 0) for rs in old_rss]
        if any(int((rs.get("status") or {}).get("replicas") or 0) for rs in old_rss):
            return new_rs, old_rss  # old pods still terminating
        return self._scale(deployment, new_rs, spec_replicas(deployment)), old_rss

    def _prune(self, deployment: dict[str, Any], old_rss: list[dict[str, Any]]) -> None:
        limit = deployment["spec"].get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        idle = [
            rs for rs in old_rss if not spec_replicas(rs) and not (rs.get("status") or {}).get("replicas")
        ]
        for rs in sorted(idle, key=revision_of)[: max(len(idle) - limit, 0)]:
            with contextlib.suppress(NotFound):
                self.store.delete(
                    self.replicasets.rt, rs["metadata"].get("namespace"), rs["metadata"]["name"]
                )

    # -- the Deployment -----------------------------------------------------------------------------
    def _write(
        self,
        deployment: dict[str, Any],
        new_rs: dict[str, Any] | None,
        old_rss: list[dict[str, Any]],
        created: bool,
    ) -> None:
        meta = deployment["metadata"]
        namespace, name = meta.get("namespace"), meta["name"]
        revision = str(revision_of(new_rs)) if new_rs is not None else None
        if revision is not None and (meta.get("annotations") or {}).get(REVISION) != revision:

            def annotate(obj: dict[str, Any]) -> None:
                obj["metadata"]["annotations"] = {
                    **(obj["metadata"].get("annotations") or {}),
                    REVISION: revision,
                }

            with contextlib.suppress(NotFound):
                deployment = self.store.mutate(self.deployments.rt, namespace, name, annotate)
                self.deployments.upsert(deployment)
        all_rss = [*old_rss, *([new_rs] if new_rs is not None else [])]
        status = deployment_status(deployment, all_rss, new_rs, datetime.now(UTC), now_iso(), created)
        if status != (deployment.get("status") or {}):

            def write(obj: dict[str, Any]) -> None:
                obj["status"] = status

            with contextlib.suppress(NotFound):
                self.deployments.upsert(
                    self.store.mutate(self.deployments.rt, namespace, name, write, subresource="status")
                )
        progress = next((c for c in status.get("conditions") or [] if c["type"] == "Progressing"), None)
        deadline = deployment["spec"].get("progressDeadlineSeconds")
        if deadline is not None and progress is not None and progress["reason"] != COMPLETE:
            self.queue.add_after(key_of(deployment), float(deadline) + 1.0)
