"""LocalCluster: the store, the HTTP API server and the simulation, in one event loop.

``run_in_thread`` runs one in a background thread (for sync tests and for kubectl/kopf subprocesses);
``cluster.call(fn, *args)`` runs ``fn`` on the cluster's loop and returns its result (awaiting it if needed).
"""

import asyncio
import base64
import contextlib
import logging
import secrets
import ssl
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import yaml
from aiohttp import web

from .audit import AuditLog
from .auth import bootstrap
from .auth.authn import Authenticator
from .auth.pki import shared_pki
from .auth.rbac import RBACAuthorizer
from .auth.tokens import API_AUDIENCES, TokenIssuer
from .auth.users import ADMIN_USER
from .errors import NotFound
from .server import make_app
from .server.faults import Faults
from .sim import NodeSpec, Simulation
from .store import Store

T = TypeVar("T")
DEFAULT_NODES = (NodeSpec(name="node-1", labels={"pool": "default"}),)


def kubeconfig(
    url: str, token: str, ca_pem: str = "", name: str = "k8s-tasks-local", user: str = ADMIN_USER
) -> dict[str, Any]:
    """A kubeconfig for ``url`` (trusting ``ca_pem``) whose user authenticates with ``token`` (the admin's,
    or a ServiceAccount's from ``LocalCluster.token_for``)."""
    cluster: dict[str, Any] = {"server": url}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem.encode()).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user, "namespace": "default"}}],
        "current-context": name,
        "preferences": {},
    }


def write_kubeconfig(path: Path, url: str, token: str, ca_pem: str = "", user: str = ADMIN_USER) -> None:
    """Write atomically, so a process waiting for the file never reads half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(yaml.safe_dump(kubeconfig(url, token, ca_pem, user=user), sort_keys=False))
    partial.replace(path)


def cli_command(nodes: Path, kubeconfig: Path, *more: str, python: str = sys.executable) -> list[str]:
    """The command line that runs a cluster in its own process (``python -m k8s_tasks.testing cluster``)."""
    cluster = ["-m", "k8s_tasks.testing", "cluster"]
    return [python, *cluster, "--nodes", str(nodes), "--kubeconfig", str(kubeconfig), *more]


class LocalCluster:
    def __init__(
        self,
        nodes: list[NodeSpec] | tuple[NodeSpec, ...] = DEFAULT_NODES,
        *,
        workdir: Path | None = None,
        kubeconfig_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        runtime: str = "process",
        fake_seconds: float = 0.0,
        fake_exit_code: int = 0,
        image_pull_error_pattern: str | None = None,
        bookmark_seconds: float = 2.0,
        access_log: bool = False,
        audit_path: Path | None = None,
        **sim_options: Any,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="k8s-tasks-cluster-")
            workdir = Path(self._tmp.name)
        self.workdir = Path(workdir)
        self.kubeconfig_path = kubeconfig_path or self.workdir / "kubeconfig"
        self.host, self.port = host, port
        self.store = Store()
        self.faults = Faults()
        self.audit = AuditLog(Path(audit_path) if audit_path is not None else None)
        self.admin_token = secrets.token_urlsafe(32)
        self.pki = shared_pki()
        self.tokens = TokenIssuer(self.pki.service_account_key, self._uid_of)
        self.authenticator = Authenticator(self.admin_token, self.tokens.authenticate)
        bootstrap.install(self.store)
        self.rbac = RBACAuthorizer(self.store)
        self.sim = Simulation(
            self.store,
            list(nodes),
            workdir=self.workdir,
            runtime=runtime,
            fake_seconds=fake_seconds,
            fake_exit_code=fake_exit_code,
            image_pull_error_pattern=image_pull_error_pattern,
            ca_pem=self.pki.ca_pem,
            **sim_options,
        )
        self._bookmark_seconds = bookmark_seconds
        self._access_log = access_log
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.url = ""  # https://HOST:PORT: TLS only, as kube-apiserver (client-go sends tokens over TLS only)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.faults.loop = self._loop
        await self.sim.start()
        app = make_app(
            self.store,
            self.faults,
            log_root=self.sim.log_root,
            bookmark_seconds=self._bookmark_seconds,
            authenticator=self.authenticator,
            audit=self.audit,
            issuer=self.tokens,
            authorize=self.rbac.authorize,
            rules=self.rbac.rules,
        )
        if self._access_log:
            logging.basicConfig(level=logging.INFO)
        log = logging.getLogger("aiohttp.access") if self._access_log else None
        self._runner = web.AppRunner(app, access_log=log, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, self.host, self.port, reuse_address=True, ssl_context=self.pki.server_context()
        )
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        assert sockets, "the API server did not open a socket"
        self.port = int(sockets[0].getsockname()[1])
        self.url = f"https://{self.host}:{self.port}"
        write_kubeconfig(self.kubeconfig_path, self.url, self.admin_token, self.pki.ca_pem)
        self.sim.kubelet.connect(self.host, self.port, self.tokens)

    def _uid_of(self, kind: str, namespace: str, name: str) -> str | None:
        obj = self.store.stored_or_none(self.store.resource_type("v1", kind), namespace, name)
        return None if obj is None else str(obj["metadata"]["uid"])

    def token_for(
        self,
        namespace: str,
        service_account: str,
        *,
        expiration_seconds: int = 3600,
        audiences: tuple[str, ...] = (),
    ) -> str:
        """A token for an existing ServiceAccount, as ``kubectl create token`` would get (any thread)."""

        def mint() -> str:
            uid = self._uid_of("ServiceAccount", namespace, service_account)
            if uid is None:
                raise NotFound(f'serviceaccounts "{service_account}" not found')
            token, _ = self.tokens.mint(
                namespace,
                service_account,
                uid,
                audiences=audiences or API_AUDIENCES,
                expiration_seconds=expiration_seconds,
            )
            return token

        return str(self.call(mint))

    def kubeconfig_for(self, namespace: str, service_account: str, path: Path) -> Path:
        """Write a kubeconfig that authenticates as the ServiceAccount (its namespace the default)."""
        token = self.token_for(namespace, service_account)
        user = f"system:serviceaccount:{namespace}:{service_account}"
        config = kubeconfig(self.url, token, self.pki.ca_pem, user=user)
        config["contexts"][0]["context"]["namespace"] = namespace
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the cluster's CA (for urllib and other raw HTTP clients)."""
        return self.pki.client_context()

    def admin_headers(self) -> dict[str, str]:
        """The Authorization header of the admin kubeconfig's user."""
        return {"Authorization": f"Bearer {self.admin_token}"}

    async def stop(self) -> None:
        self.store.close_watches()
        await self.sim.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.audit.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float = 30.0, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on the cluster's loop from another thread; await it if it is async."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the cluster is not started: call start() or use run_in_thread()")

        async def run() -> Any:
            result = fn(*args, **kwargs)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout)


@contextlib.contextmanager
def run_in_thread(*args: Any, **kwargs: Any) -> Iterator[LocalCluster]:
    """A started LocalCluster on its own loop in a daemon thread; stopped when the block ends."""
    ready: Future[LocalCluster] = Future()
    stopping: asyncio.Event | None = None
    loop_box: list[asyncio.AbstractEventLoop] = []

    async def main() -> None:
        nonlocal stopping
        stopping = asyncio.Event()
        loop_box.append(asyncio.get_running_loop())
        try:
            cluster = LocalCluster(*args, **kwargs)
            await cluster.start()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(cluster)
        try:
            await stopping.wait()
        finally:
            await cluster.stop()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="local-cluster", daemon=True)
    thread.start()
    cluster = ready.result(timeout=60)
    try:
        yield cluster
    finally:
        loop = loop_box[0]
        event = stopping
        assert event is not None
        loop.call_soon_threadsafe(event.set)
        thread.join(timeout=30)
