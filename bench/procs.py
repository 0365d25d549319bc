"""The processes a benchmark runs: the local cluster, the operator, django-tasks-db's db_worker; and what
is measured of a process from /proc (resident memory, CPU time)."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kubernetes import client, config

from k8s_tasks_operator.crd import GROUP, PLURAL, VERSION, load_crd

ROOT = Path(__file__).resolve().parents[1]
NAMESPACE = "default"
_TICKS = os.sysconf("SC_CLK_TCK")


def wait_for[T](check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll `check` until it returns something truthy; SystemExit naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark: timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def wait_until(check: Callable[[], object], *, timeout: float, interval: float = 0.1) -> bool:
    """Poll `check` until it is truthy (True) or `timeout` seconds pass (False): for waits whose
    failure is recorded, not fatal."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def base_env(db_env: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **db_env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


class Process:
    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self.name = " ".join(argv[2:4])
        with log.open("a") as out:
            self.popen = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def exited(self) -> bool:
        """False while running; SystemExit with the end of its log once it has exited."""
        if self.alive():
            return False
        raise SystemExit(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM, and SIGKILL if it has not exited after `grace` seconds."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        return "".join(self.log_path.read_text(errors="replace").splitlines(True)[-lines:])


class Cluster(Process):
    """bench.cluster_proc: the local cluster (fake runtime unless told) with request counts and Job times
    (`record_pods`: pods' Running times and FailedMounts too)."""

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str],
        fake_seconds: float = 3600.0,
        *,
        runtime: str = "fake",
        record_pods: bool = False,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.kubeconfig = workdir / "kubeconfig"
        argv = [sys.executable, "-m", "bench.cluster_proc", "--kubeconfig", str(self.kubeconfig)]
        argv += ["--workdir", str(workdir / "cluster"), "--fake-seconds", str(fake_seconds)]
        argv += ["--runtime", runtime, *(["--record-pods"] if record_pods else [])]
        super().__init__(argv, env, workdir / "cluster.log")
        wait_for(lambda: self.kubeconfig.exists() or not self.alive(), timeout=60, what="the cluster")
        if not self.alive():
            raise SystemExit(f"the cluster exited:\n{self.tail()}")
        self.api = config.new_client_from_config(str(self.kubeconfig))
        conf = self.api.configuration
        self.url = conf.host
        # bench.cluster_proc's own endpoint as the kubeconfig says: TLS trusting its CA when the cluster
        # serves https, and its token
        self._tls = (
            ssl.create_default_context(cafile=conf.ssl_ca_cert) if self.url.startswith("https:") else None
        )
        token = conf.api_key.get("authorization") or conf.api_key.get("BearerToken")
        self._headers = {"Authorization": token} if token else {}
        client.ApiextensionsV1Api(self.api).create_custom_resource_definition(load_crd())

    def _bench(self, query: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.url}/_bench/{query}", method=method, headers=self._headers)
        with urllib.request.urlopen(request, timeout=30, context=self._tls) as response:
            return json.load(response)

    def stats(self) -> dict[str, Any]:
        data: dict[str, Any] = self._bench("stats")
        return data

    def counts(self) -> dict[str, Any]:
        """Request counts, and how many Jobs were created and finished (not their times: cheap to poll)."""
        data: dict[str, Any] = self._bench("stats?part=counts")
        return data

    def created(self, ids: set[str], *, timeout: float, what: str, kind: str = "created") -> dict[str, float]:
        """Wait until every task in `ids` has its Job (`kind="secrets"`: its Secret); their creation times
        (time.time())."""

        def check() -> dict[str, float]:
            if self.counts()[kind] < len(ids):
                return {}
            stamps: dict[str, float] = self.stats()[kind]
            return stamps if ids <= stamps.keys() else {}

        return wait_for(check, timeout=timeout, what=what, interval=0.25)

    def reset(self) -> None:
        self._bench("reset", "POST")

    def make_queue(self, name: str = "default", **spec: Any) -> None:
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "TaskQueue", "metadata": {"name": name}}
        client.CustomObjectsApi(self.api).create_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, PLURAL, {**body, "spec": spec}
        )

    def queue_status(self, name: str = "default") -> dict[str, Any]:
        """The status the operator reports on a TaskQueue (counts, observedGeneration, conditions)."""
        body: dict[str, Any] = client.CustomObjectsApi(self.api).get_namespaced_custom_object(  # type: ignore[assignment]
            GROUP, VERSION, NAMESPACE, PLURAL, name
        )
        status: dict[str, Any] = body.get("status") or {}
        return status

    def queue_valid(self, name: str = "default") -> bool:
        conditions = self.queue_status(name).get("conditions") or []
        return any(c.get("type") == "Valid" and c.get("status") == "True" for c in conditions)

    def set_concurrency(self, concurrency: int, name: str = "default") -> None:
        client.CustomObjectsApi(self.api).patch_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, PLURAL, name, {"spec": {"concurrency": concurrency}}
        )

    def stop(self, grace: float = 2.0) -> None:
        """Killed if not gone after `grace` s: with 10k pods its orderly stop takes ~9 s, and nothing of it
        is kept (the fake runtime starts no processes; its files are in the run's temp dir)."""
        self.api.close()
        super().stop(grace)


class Operator(Process):
    """`python -m k8s_tasks_operator` (or bench.qps_operator: the same with a client-side QPS limit; or,
    given `resync_seconds`, bench.resync_operator: the same, resyncing at that period (as
    K8S_TASKS_RESYNC_SECONDS) and logging every pass)."""

    def __init__(
        self,
        cluster: Cluster,
        env: dict[str, str],
        log: Path,
        *,
        qps: float | None = None,
        resync_seconds: float | None = None,
    ) -> None:
        self.port = free_port()
        module = ["bench.qps_operator", "--qps", str(qps)] if qps else ["k8s_tasks_operator"]
        env = {**env, "KUBECONFIG": str(cluster.kubeconfig)}
        if resync_seconds is not None:
            if qps:
                raise ValueError("the QPS-limited operator does not log its resyncs")
            module = ["bench.resync_operator"]
            env["K8S_TASKS_RESYNC_SECONDS"] = f"{resync_seconds:g}"
        argv = [sys.executable, "-m", *module, "--namespace", NAMESPACE]
        argv += ["--liveness", f"http://127.0.0.1:{self.port}/healthz"]
        super().__init__(argv, env, log)

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                data: dict[str, Any] = json.load(response)
                return data
        except (OSError, ValueError):
            return None

    def wait_ready(self, cluster: Cluster, queue: str = "default") -> None:
        """Until the operator has reported on the queue's status (kopf caches its liveness probes for
        10 s, so the TaskQueue status is the quicker sign that the dispatch loop serves the queue)."""

        def ready() -> bool:
            if not self.alive():
                raise SystemExit(f"the operator exited:\n{self.tail()}")
            return cluster.queue_valid(queue)

        wait_for(ready, timeout=90, what="the operator to serve a queue", interval=0.1)


class PeerWorker(Process):
    """django-tasks-db's `manage.py db_worker` for the peer backend, one worker, its default 1 s poll."""

    def __init__(self, env: dict[str, str], log: Path, interval: float = 1.0) -> None:
        argv = [sys.executable, "-m", "django", "db_worker", "--backend", "peer", "--no-startup-delay"]
        argv += ["--interval", str(interval), "--no-reload", "-v", "0"]
        super().__init__(argv, env, log)
