"""The simulation's assembly: shared informers, controllers, node lifecycle and eviction."""

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..auth.pki import shared_pki
from ..errors import AlreadyExists, NotFound
from .aggregation import AggregationController
from .deployments import DeploymentController
from .events import Recorder
from .informer import Informer, cancel_all
from .jobs import JobController
from .jobstatus import TERMINAL
from .kubelet import Kubelet
from .namespacectl import NamespaceController
from .nodeloss import TaintEvictionController, fail_lost, not_ready, unknown_conditions, unreachable_taints
from .nodes import NodeSpec, node_manifest
from .quotactl import QuotaController
from .replicasets import ReplicaSetController
from .rootca import RootCAPublisher
from .runtime import now_stamp
from .scheduler import Scheduler
from .serviceaccounts import ServiceAccountController
from .ttl import TTLController

if TYPE_CHECKING:
    from ..store import Store

RUNTIMES = ("process", "fake")


class Simulation:
    def __init__(
        self,
        store: "Store",
        nodes: list[NodeSpec],
        *,
        workdir: Path,
        runtime: str = "process",
        fake_seconds: float = 0.0,
        fake_exit_code: int = 0,
        image_pull_error_pattern: str | None = None,
        job_backoff_seconds: float = 1.0,
        ca_pem: str = "",
    ) -> None:
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime={runtime!r} is not supported: use one of {', '.join(RUNTIMES)}")
        self.store = store
        self.workdir = Path(workdir)
        self.log_root = self.workdir / "logs"
        self._specs = list(nodes)
        self.recorder = Recorder(store)
        self.pods = Informer(store, store.resource_type("v1", "Pod"))
        self.nodes = Informer(store, store.resource_type("v1", "Node"))
        self.jobs = Informer(store, store.resource_type("batch/v1", "Job"))
        self.namespaces = Informer(store, store.resource_type("v1", "Namespace"))
        self.accounts = Informer(store, store.resource_type("v1", "ServiceAccount"))
        self.deployments = Informer(store, store.resource_type("apps/v1", "Deployment"))
        self.replicasets = Informer(store, store.resource_type("apps/v1", "ReplicaSet"))
        self.quotas = Informer(store, store.resource_type("v1", "ResourceQuota"))
        self.cluster_roles = Informer(
            store, store.resource_type("rbac.authorization.k8s.io/v1", "ClusterRole")
        )
        self.scheduler = Scheduler(self.pods, self.nodes, self.recorder)
        self.job_controller = JobController(self.jobs, self.pods, self.recorder, job_backoff_seconds)
        self.ttl = TTLController(self.jobs)
        self.namespace_controller = NamespaceController(store, self.namespaces)
        self.account_controller = ServiceAccountController(store, self.namespaces, self.accounts)
        self.root_ca_publisher = RootCAPublisher(store, self.namespaces, ca_pem or shared_pki().ca_pem)
        self.aggregation_controller = AggregationController(store, self.cluster_roles)
        self.quota_controller = QuotaController(store, self.quotas, self.pods, self.jobs)
        self.replicaset_controller = ReplicaSetController(self.replicasets, self.pods, self.recorder)
        self.deployment_controller = DeploymentController(self.deployments, self.replicasets, self.recorder)
        self.taint_eviction = TaintEvictionController(
            self.pods, self.nodes, self.recorder, lambda node: node in self.kubelet.nodes
        )
        self._controllers = (
            self.scheduler,
            self.job_controller,
            self.ttl,
            self.namespace_controller,
            self.account_controller,
            self.root_ca_publisher,
            self.aggregation_controller,
            self.quota_controller,
            self.replicaset_controller,
            self.deployment_controller,
            self.taint_eviction,
        )
        self.kubelet = Kubelet(
            store,
            self.pods,
            self.recorder,
            workdir=self.workdir,
            log_root=self.log_root,
            runtime=runtime,
            fake_seconds=fake_seconds,
            fake_exit_code=fake_exit_code,
            image_pull_error_pattern=image_pull_error_pattern,
        )
        self._tasks: list[asyncio.Task[Any]] = []
        self._node_index = 0

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for spec in self._specs:
            self.add_node(spec)
        informers = (
            self.nodes,
            self.jobs,
            self.pods,
            self.namespaces,
            self.accounts,
            self.replicasets,
            self.deployments,
            self.cluster_roles,
            self.quotas,
        )
        for informer in informers:
            self._tasks.append(asyncio.ensure_future(informer.run()))
            await informer.synced.wait()
        for controller in self._controllers:
            self._tasks.append(asyncio.ensure_future(controller.run()))

    async def stop(self) -> None:
        await self.kubelet.stop()
        await cancel_all(self._tasks)
        self._tasks.clear()
        for controller in self._controllers:
            controller.queue.close()

    def add_node(self, spec: NodeSpec) -> None:
        """Register a node (its kubelet starts running pods bound to it at once)."""
        index = self.kubelet.nodes.setdefault(spec.name, self._node_index)
        self._node_index = max(self._node_index, index + 1)
        with contextlib.suppress(AlreadyExists):
            self.store.create(self.nodes.rt, node_manifest(spec, index))

    def _stop_kubelet(self, name: str) -> list[tuple[str | None, str]]:
        """The node's machine is gone: its kubelet stops, its containers die. Returns its pods' keys."""
        self.kubelet.nodes.pop(name, None)
        keys = []
        for key, pod in list(self.pods.cache.items()):
            if (pod.get("spec") or {}).get("nodeName") != name:
                continue
            keys.append(key)
            worker = self.kubelet.workers.get(key)
            if worker is not None:
                self.kubelet.abort(worker)
        return keys

    def lose_node(self, name: str) -> None:
        """Node loss as a real cluster sees it: the kubelet stops posting status, so the node lifecycle
        controller marks the node unreachable (conditions Unknown, the unreachable NoSchedule and NoExecute
        taints) and its pods not Ready; the taint eviction controller evicts each pod once its
        tolerationSeconds have passed (300 by default), not at once."""
        keys = self._stop_kubelet(name)
        stamp = now_stamp()
        with contextlib.suppress(NotFound):
            rt = self.nodes.rt
            self.store.mutate(rt, None, name, lambda n: unknown_conditions(n, stamp), subresource="status")
            self.nodes.upsert(self.store.mutate(rt, None, name, lambda n: unreachable_taints(n, stamp)))
        for key in keys:
            with contextlib.suppress(NotFound):
                pod = self.store.mutate(
                    self.pods.rt, key[0], key[1], lambda p: not_ready(p, stamp), subresource="status"
                )
                self.pods.upsert(pod)

    def remove_node(self, name: str) -> None:
        """The Node is deleted (its machine is gone for good): PodGC fails and removes its pods at once
        (DisruptionTarget DeletionByPodGC), without waiting for any toleration."""
        keys = self._stop_kubelet(name)
        stamp = now_stamp()

        def lost(p: dict[str, Any]) -> None:
            fail_lost(p, stamp, "DeletionByPodGC", "PodGC: node no longer exists")

        for key in keys:
            pod = self.pods.cache.get(key) or {}
            if (pod.get("status") or {}).get("phase") not in TERMINAL:
                with contextlib.suppress(NotFound):
                    self.pods.upsert(
                        self.store.mutate(self.pods.rt, key[0], key[1], lost, subresource="status")
                    )
            with contextlib.suppress(NotFound):
                self.store.delete(self.pods.rt, key[0], key[1], grace_period_seconds=0)
        with contextlib.suppress(NotFound):
            self.store.delete(self.nodes.rt, None, name)

    def evict_pod(self, namespace: str, name: str, *, reason: str = "Evicted") -> None:
        """What POST pods/NAME/eviction does: DisruptionTarget, then a graceful delete; the kubelet
        stops the pod and reports it Failed with ``reason`` before it is removed."""
        stamp = now_stamp()

        def disrupt(pod: dict[str, Any]) -> None:
            conditions = [
                c for c in pod.get("status", {}).get("conditions") or [] if c["type"] != "DisruptionTarget"
            ]
            conditions.append(
                {
                    "type": "DisruptionTarget",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": stamp,
                    "reason": "EvictionByEvictionAPI",
                    "message": "Eviction API: evicting",
                }
            )
            pod.setdefault("status", {})["conditions"] = conditions

        self.pods.upsert(self.store.mutate(self.pods.rt, namespace, name, disrupt, subresource="status"))
        self.kubelet.evictions[(namespace, name)] = (reason, "The pod was evicted through the Eviction API")
        self.store.delete(self.pods.rt, namespace, name)
