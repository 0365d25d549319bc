"""The kubelet of every simulated node: runs the pods bound to them and reports their status."""

import asyncio
import contextlib
import shutil
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..auth.tokens import API_AUDIENCES, DEFAULT_EXPIRATION_SECONDS, Bound, TokenIssuer
from ..errors import NotFound
from .env import Lookup, memory_limit
from .events import Recorder
from .informer import Informer, Key, key_of
from .jobstatus import TERMINAL
from .podworker import DEFAULT_TERMINATION_LOG, PodWorker, Writer, argv_of, log_file
from .runtime import ContainerContext, FakeRuntime, ProcessRuntime
from .sandbox import secret_binds
from .volumes import has_content, mount_map, rewrite

if TYPE_CHECKING:
    from ..store import Store


class Kubelet:
    def __init__(
        self,
        store: "Store",
        pods: Informer,
        recorder: Recorder,
        *,
        workdir: Path,
        log_root: Path,
        runtime: str,
        fake_seconds: float,
        fake_exit_code: int,
        image_pull_error_pattern: str | None,
    ) -> None:
        self.store, self.pods, self.recorder = store, pods, recorder
        self.workdir, self.log_root = workdir, log_root
        self.runtime = FakeRuntime() if runtime == "fake" else ProcessRuntime()
        self.report_running = runtime != "fake" or fake_seconds > 0
        self.fake_seconds, self.fake_exit_code = fake_seconds, fake_exit_code
        self.image_pull_error_pattern = image_pull_error_pattern
        self.workers: dict[Key, PodWorker] = {}
        self.nodes: dict[str, int] = {}
        self._ips: dict[str, int] = {}
        self.evictions: dict[Key, tuple[str, str]] = {}
        self._secrets = store.resource_type("v1", "Secret")
        self._configmaps = store.resource_type("v1", "ConfigMap")
        self._accounts = store.resource_type("v1", "ServiceAccount")
        self._nodes = store.resource_type("v1", "Node")
        self.api_host, self.api_port = "", 0
        self.tokens: TokenIssuer | None = None
        pods.handlers.append(self._on_pod)

    def connect(self, host: str, port: int, tokens: TokenIssuer) -> None:
        """Where pods reach the API server (KUBERNETES_SERVICE_HOST/PORT) and who signs their tokens."""
        self.api_host, self.api_port, self.tokens = host, port, tokens

    def service_env(self) -> dict[str, str]:
        """The variables the kubelet gives every container for the ``kubernetes`` Service (here the API
        server's own address and TLS port, not a ClusterIP and 443)."""
        if not self.api_port:
            return {}
        host, port = self.api_host, str(self.api_port)
        address = f"tcp://{host}:{port}"
        return {
            "KUBERNETES_SERVICE_HOST": host,
            "KUBERNETES_SERVICE_PORT": port,
            "KUBERNETES_SERVICE_PORT_HTTPS": port,
            "KUBERNETES_PORT": address,
            f"KUBERNETES_PORT_{port}_TCP": address,
            f"KUBERNETES_PORT_{port}_TCP_PROTO": "tcp",
            f"KUBERNETES_PORT_{port}_TCP_PORT": port,
            f"KUBERNETES_PORT_{port}_TCP_ADDR": host,
        }

    def mint_token(self, pod: dict[str, Any], source: dict[str, Any]) -> bytes:
        """A projected ServiceAccount token, bound to the pod and its node (LookupError: cannot)."""
        if self.tokens is None:
            raise LookupError("the API server is not serving yet")
        meta, spec = pod["metadata"], pod.get("spec") or {}
        namespace, name = meta.get("namespace") or "default", spec.get("serviceAccountName") or "default"
        account = self.store.stored_or_none(self._accounts, namespace, name)
        if account is None:
            raise LookupError(f'serviceaccounts "{name}" not found')
        node_name = str(spec.get("nodeName") or "")
        node = self.store.stored_or_none(self._nodes, None, node_name) if node_name else None
        audience = source.get("audience")
        token, _ = self.tokens.mint(
            namespace,
            name,
            account["metadata"]["uid"],
            audiences=(str(audience),) if audience else API_AUDIENCES,
            expiration_seconds=int(source.get("expirationSeconds") or DEFAULT_EXPIRATION_SECONDS),
            bound=Bound(meta["name"], meta["uid"], node_name, node["metadata"]["uid"] if node else ""),
        )
        return token.encode()

    def node_ip(self, node: str) -> str:
        return f"172.18.0.{self.nodes.get(node, 0) + 2}"

    def next_ip(self, node: str) -> str:
        count = self._ips[node] = self._ips.get(node, 0) + 1
        return f"10.244.{self.nodes.get(node, 0)}.{count % 250 + 2}"

    def _on_pod(self, kind: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        key = key_of(pod)
        worker = self.workers.get(key)
        if kind == "DELETED":
            if worker is not None:
                self.abort(worker)
            return
        node = (pod.get("spec") or {}).get("nodeName")
        if node not in self.nodes:
            return
        meta = pod["metadata"]
        if worker is None:
            if meta.get("deletionTimestamp"):
                asyncio.get_running_loop().call_soon(self._remove, key)
            elif (pod.get("status") or {}).get("phase") not in TERMINAL:
                worker = self.workers[key] = PodWorker(self, pod)
                worker.task = asyncio.ensure_future(worker.run())
        elif meta.get("deletionTimestamp") and not worker.deleting:
            worker.deleting = True
            reason, message = self.evictions.pop(key, (None, None))
            worker.stop(reason, message, float(meta.get("deletionGracePeriodSeconds") or 0))

    def _remove(self, key: Key) -> None:
        with contextlib.suppress(NotFound):
            self.store.delete(self.pods.rt, key[0], key[1], grace_period_seconds=0)

    def finish_deletion(self, worker: PodWorker) -> None:
        self.forget(worker)
        self._remove((worker.namespace, worker.name))

    def forget(self, worker: PodWorker) -> None:
        if self.workers.get((worker.namespace, worker.name)) is worker:
            del self.workers[(worker.namespace, worker.name)]
        if isinstance(self.runtime, ProcessRuntime):  # a pod that has ended keeps no volume mounted
            shutil.rmtree(self.sandbox(worker.namespace, worker.name) / "volumes", ignore_errors=True)

    def sandbox(self, namespace: str, name: str) -> Path:
        return self.workdir / "pods" / namespace / name

    def volume_root(self, pod: dict[str, Any]) -> Path | None:
        """Where the pod's volumes go; None for the fake runtime, which has no process to see them."""
        if not isinstance(self.runtime, ProcessRuntime):
            return None
        meta = pod["metadata"]
        return self.sandbox(meta.get("namespace") or "default", meta["name"]) / "volumes"

    def abort(self, worker: PodWorker) -> None:
        """The pod is gone (or its node died): kill its processes, report nothing more."""
        self.forget(worker)
        for container in list(worker.running.values()):
            container.signal(signal.SIGKILL)
        if worker.task is not None:
            worker.task.cancel()

    def write_status(self, namespace: str, name: str, fn: Writer) -> None:
        self.pods.upsert(self.store.mutate(self.pods.rt, namespace, name, fn, subresource="status"))

    def lookup(self, namespace: str) -> Lookup:
        def find(kind: str, name: str) -> dict[str, Any] | None:
            rt = self._secrets if kind == "Secret" else self._configmaps
            try:
                return self.store.get(rt, namespace, name, copy=False)
            except NotFound:
                return None

        return find

    def context(
        self, pod: dict[str, Any], container: dict[str, Any], env: dict[str, str]
    ) -> ContainerContext:
        meta = pod["metadata"]
        namespace, name, cname = meta.get("namespace") or "default", meta["name"], container["name"]
        sandbox = self.sandbox(namespace, name)
        termination_log = sandbox / "termination" / cname
        mounts = mount_map(pod, container, sandbox / "volumes") if has_content(pod) else []
        if mounts:  # no mount namespace: paths under a mount are the volume's directory (volumes.py)
            env = {key: rewrite(value, mounts) for key, value in env.items()}
        full_env = {
            "HOSTNAME": name,
            **self.service_env(),
            **env,
            "K8S_TASKS_TERMINATION_LOG": str(termination_log),
        }
        path = container.get("terminationMessagePath") or DEFAULT_TERMINATION_LOG
        if path != DEFAULT_TERMINATION_LOG:
            full_env.setdefault("K8S_TASKS_TERMINATION_MESSAGE_PATH", path)
        working_dir = sandbox
        if isinstance(self.runtime, ProcessRuntime):  # the fake runtime has no process to place
            sandbox.mkdir(parents=True, exist_ok=True)
            if container.get("workingDir") and Path(container["workingDir"]).is_dir():
                working_dir = Path(container["workingDir"])
        binds = secret_binds(mounts)
        return ContainerContext(
            binds=binds,
            argv=[rewrite(arg, mounts) for arg in argv_of(container, full_env)],
            env=full_env,
            working_dir=working_dir,
            log_file=log_file(self.log_root, pod, cname),
            termination_log=termination_log,
            memory_limit=memory_limit(container),
            fake_seconds=None
            if (pod.get("spec") or {}).get("restartPolicy") == "Always"
            else self.fake_seconds,
            fake_exit_code=self.fake_exit_code,
            annotations=meta.get("annotations") or {},
        )

    async def stop(self) -> None:
        workers = list(self.workers.values())
        for worker in workers:
            self.abort(worker)
        for worker in workers:
            if worker.task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await worker.task
