"""LocalCluster: the store, the HTTP API server and the simulation, in one event loop.

``run_in_thread`` runs one in a background thread (for sync tests and for kubectl/kopf subprocesses);
``cluster.call(fn, *args)`` runs ``fn`` on the cluster's loop and returns its result (awaiting it if needed).
"""

import asyncio
import contextlib
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import yaml
from aiohttp import web

from .server import make_app
from .server.faults import Faults
from .sim import NodeSpec, Simulation
from .store import Store

T = TypeVar("T")
DEFAULT_NODES = (NodeSpec(name="node-1", labels={"pool": "default"}),)


def kubeconfig(url: str, name: str = "k8s-tasks-local") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": url}}],
        "users": [{"name": name, "user": {"token": "local-cluster"}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name, "namespace": "default"}}],
        "current-context": name,
        "preferences": {},
    }


def write_kubeconfig(path: Path, url: str) -> None:
    """Write atomically, so a process waiting for the file never reads half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(yaml.safe_dump(kubeconfig(url), sort_keys=False))
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
        self.sim = Simulation(
            self.store,
            list(nodes),
            workdir=self.workdir,
            runtime=runtime,
            fake_seconds=fake_seconds,
            fake_exit_code=fake_exit_code,
            image_pull_error_pattern=image_pull_error_pattern,
            **sim_options,
        )
        self._bookmark_seconds = bookmark_seconds
        self._access_log = access_log
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.url = ""

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.faults.loop = self._loop
        await self.sim.start()
        app = make_app(
            self.store, self.faults, log_root=self.sim.log_root, bookmark_seconds=self._bookmark_seconds
        )
        if self._access_log:
            logging.basicConfig(level=logging.INFO)
        log = logging.getLogger("aiohttp.access") if self._access_log else None
        self._runner = web.AppRunner(app, access_log=log, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        assert sockets, "the API server did not open a socket"
        self.port = int(sockets[0].getsockname()[1])
        self.url = f"http://{self.host}:{self.port}"
        write_kubeconfig(self.kubeconfig_path, self.url)

    async def stop(self) -> None:
        self.store.close_watches()
        await self.sim.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
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
