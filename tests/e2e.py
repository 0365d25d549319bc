"""End-to-end fixtures, a pytest plugin of tests/conftest.py: the local cluster (real HTTP), the real
operator as a subprocess (real kopf, the real kubernetes client), and the test's real database shared with
the task pods."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from k8s_tasks.models import TaskRecord
from k8s_tasks.testing.cluster import LocalCluster, run_in_thread
from k8s_tasks.testing.sim import NodeSpec
from k8s_tasks_operator.crd import GROUP, PLURAL, VERSION, load_crd
from tests import rbac
from tests.waiting import wait_until

NAMESPACE = "default"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
GENERAL = NodeSpec(
    name="general-1", labels={"pool": "general"}, allocatable={"cpu": "8", "memory": "16Gi", "pods": "110"}
)
HIGHMEM = NodeSpec(
    name="highmem-1", labels={"pool": "highmem"}, allocatable={"cpu": "8", "memory": "256Gi", "pods": "110"}
)
GPU = NodeSpec(
    name="gpu-1",
    labels={"pool": "gpu"},
    taints=(GPU_TAINT,),
    allocatable={"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1", "pods": "110"},
)
POOLS = (GENERAL, HIGHMEM, GPU)
FINAL = ("SUCCESSFUL", "FAILED")


@pytest.fixture
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalCluster]:
    """The local cluster with a general, a highmem and a GPU pool (override with @pytest.mark.cluster)."""
    marker = request.node.get_closest_marker("cluster")
    options: dict[str, Any] = {"nodes": POOLS, "workdir": tmp_path / "cluster"}
    options |= dict(marker.kwargs) if marker else {}
    with run_in_thread(**options) as running:
        yield running


@pytest.fixture
def api(cluster: LocalCluster) -> Iterator[client.ApiClient]:
    api_client = config.new_client_from_config(str(cluster.kubeconfig_path))
    client.ApiextensionsV1Api(api_client).create_custom_resource_definition(load_crd())
    yield api_client
    api_client.close()


QueueFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_queue(api: client.ApiClient) -> QueueFactory:
    """Create a TaskQueue object: make_queue("gpu", nodeSelector={...}, ...)."""

    def create(name: str, **spec: Any) -> dict[str, Any]:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "TaskQueue",
            "metadata": {"name": name},
            "spec": spec,
        }
        created: dict[str, Any] = client.CustomObjectsApi(api).create_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, PLURAL, body
        )
        return created

    return create


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Operator:
    """The real operator, `python -m k8s_tasks_operator`, as its own process."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        module: str = "k8s_tasks_operator",
        args: tuple[str, ...] = ("--namespace", NAMESPACE),
    ) -> None:
        self.env, self.log_path = env, log
        self.module, self.args = module, args
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.port = free_port()

    def start(self) -> None:
        self.starts += 1
        liveness = f"http://127.0.0.1:{self.port}/healthz"
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args, "--liveness", liveness],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def health(self) -> dict[str, Any] | None:
        """kopf's liveness endpoint with our probe: None until the dispatch loop runs."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                data: dict[str, Any] = json.load(response)
                return data
        except (OSError, ValueError):
            return None

    def wait_ready(self, timeout: float = 60.0) -> dict[str, Any]:
        """Until the operator serves at least one queue."""
        return wait_until(
            lambda: (h := self.health()) and h.get("dispatch", {}).get("queues") and h,
            timeout=timeout,
            interval=0.1,
            what="the operator's dispatch loop to serve a queue",
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as when a node dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def operator_env(
    cluster: LocalCluster, subprocess_env: dict[str, str], tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The operator's environment: it runs as its ServiceAccount under the chart's own Role (tests/rbac.py),
    and every request it made must be one the Role allows (checked after the test)."""
    env = dict(subprocess_env)
    env["KUBECONFIG"] = str(rbac.operator_kubeconfig(cluster, tmp_path / "operator-kubeconfig"))
    env["K8S_TASKS_POLL_SECONDS"] = "0.2"
    env["K8S_TASKS_STATUS_SECONDS"] = "0.5"
    # Task pods get the location of this test's database (not a credential) from the operator.
    env["K8S_TASKS_POD_ENV"] = "K8S_TASKS_DB_NAME,K8S_TASKS_TEST_DB,PYTHONPATH,PGHOST,PGPORT,PGUSER"
    env["K8S_TASKS_SEALED_POD_ENV"] = "PYTHONPATH"  # where the test task modules are; nothing of the database
    env.setdefault("K8S_TASKS_TEST_DB", os.environ.get("K8S_TASKS_TEST_DB", "sqlite"))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    yield env
    outside = rbac.not_allowed(cluster)
    assert not outside, f"the operator made requests the chart's Role does not grant: {outside}"


@pytest.fixture
def operator(api: client.ApiClient, operator_env: dict[str, str], tmp_path: Path) -> Iterator[Operator]:
    """A running operator (started after the CRD exists); its log is printed if the test fails."""
    running = Operator(operator_env, tmp_path / "operator.log")
    running.start()
    yield running
    running.stop()
    sys.stdout.write(
        f"\n--- operator log (last 60 lines) ---\n{''.join(running.log().splitlines(True)[-60:])}"
    )


def row(result_id: str) -> TaskRecord:
    return TaskRecord.objects.get(pk=result_id)


def wait_final(result_id: str, timeout: float = 60.0) -> TaskRecord:
    return wait_until(
        lambda: (r := row(result_id)).status in FINAL and r,
        timeout=timeout,
        what=f"task {result_id} to finish",
    )


def jobs(api: client.ApiClient, selector: str = "app.kubernetes.io/managed-by=k8s-tasks") -> list[Any]:
    items: list[Any] = client.BatchV1Api(api).list_namespaced_job(NAMESPACE, label_selector=selector).items
    return items


def pods(api: client.ApiClient, selector: str) -> list[Any]:
    items: list[Any] = client.CoreV1Api(api).list_namespaced_pod(NAMESPACE, label_selector=selector).items
    return items
