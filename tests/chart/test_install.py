"""Install test: the rendered chart applied with the real kubectl to the local cluster; the operator
started with the Deployment's own command and env (the database from the Secret, as the kubelet would
pass it), and a task run through it. The local cluster has no Deployment controller, so the test plays
the kubelet's part for the operator pod, and the cluster runs the task pods itself."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import connection

from k8s_tasks.testing.sim import NodeSpec
from tests.waiting import wait_until

from .helm import ROOT, one, render

KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
NAMESPACE = "default"
SECRET = "tasks-db"

pytestmark = pytest.mark.cluster(
    nodes=[NodeSpec(name="general-1", labels={"pool": "general"})], runtime="process"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(kubeconfig), "--namespace", NAMESPACE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"kubectl {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def database_secret() -> dict[str, Any]:
    """What the Secret of database.existingSecret holds in this test: where the live test database is."""
    data = {"K8S_TASKS_TEST_DB": os.environ.get("K8S_TASKS_TEST_DB", "sqlite")}
    data["K8S_TASKS_DB_NAME"] = str(connection.settings_dict["NAME"])
    data |= {k: os.environ[k] for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD") if k in os.environ}
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": SECRET}, "data": encoded}


def container_env(container: dict[str, Any], kubeconfig: Path, pod_name: str) -> dict[str, str]:
    """The operator container's environment as the kubelet builds it: env (fieldRefs) and envFrom."""
    fields = {"metadata.name": pod_name, "metadata.namespace": NAMESPACE}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        secret = json.loads(kubectl(kubeconfig, "get", "secret", source["secretRef"]["name"], "-o", "json"))
        env |= {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    for item in container["env"]:
        env[item["name"]] = (
            item["value"] if "value" in item else fields[item["valueFrom"]["fieldRef"]["fieldPath"]]
        )
    return env


@pytest.fixture
def operator_process(local_cluster: Any, subprocess_env: dict[str, str], tmp_path: Path) -> Iterator[dict]:
    kubeconfig = Path(local_cluster.kubeconfig_path)
    port = free_port()
    values = {
        "django": {"settingsModule": "tests.settings"},
        "database": {"existingSecret": SECRET},
        "health": {"port": port},
        "operator": {"pollSeconds": 0.2, "statusSeconds": 1},
        "queues": {
            "default": {"concurrency": 2, "nodeSelector": {"pool": "general"}},
            "sandbox": {"network": "isolated", "nodeSelector": {"pool": "general"}},
        },
    }
    manifests = render(values, namespace=NAMESPACE)
    crd = [m for m in manifests if m["kind"] == "CustomResourceDefinition"]
    # No Deployment controller in the local cluster: the Deployment is run by hand below.
    rest = [m for m in manifests if m["kind"] not in {"CustomResourceDefinition", "Deployment"}]
    # kubectl validates each object against the cluster's OpenAPI documents before sending it.
    kubectl(kubeconfig, "apply", "-f", "-", stdin=yaml.safe_dump_all(crd))
    kubectl(kubeconfig, "apply", "-f", "-", stdin=yaml.safe_dump_all([database_secret(), *rest]))

    container = one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    env = {
        k: v for k, v in subprocess_env.items() if k not in {"DJANGO_SETTINGS_MODULE", "K8S_TASKS_DB_NAME"}
    }
    env |= container_env(container, kubeconfig, pod_name="rel-k8s-tasks-0")
    env["KUBECONFIG"] = str(kubeconfig)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    log = (tmp_path / "operator.log").open("w")
    process = subprocess.Popen(container["command"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield {
            "process": process,
            "port": port,
            "kubeconfig": kubeconfig,
            "log": tmp_path / "operator.log",
            "manifests": manifests,
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_installed_chart_runs_a_task(operator_process: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    # Task pods are processes of the cluster (this process): they import tests.settings and tests.chart.tasks.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    process, port = operator_process["process"], operator_process["port"]

    def ready() -> bool:
        assert process.poll() is None, operator_process["log"].read_text()[-3000:]
        return healthy(port)

    wait_until(ready, timeout=60, interval=0.2, what="the operator's readiness probe (/healthz)")

    from .tasks import shout

    result = shout.enqueue("installed")
    isolated = shout.using(queue_name="sandbox").enqueue("isolated")

    def finished() -> bool:
        for each in (result, isolated):
            each.refresh()
        return result.is_finished and isolated.is_finished

    wait_until(finished, timeout=90, interval=0.2, what=f"tasks {result.id} and {isolated.id} to finish")
    log_tail = operator_process["log"].read_text()[-3000:]
    for each in (result, isolated):
        assert each.status.name == "SUCCESSFUL", (each.errors, log_tail)
    assert result.return_value["word"] == "INSTALLED"
    kubeconfig = operator_process["kubeconfig"]
    jobs = json.loads(kubectl(kubeconfig, "get", "jobs", "-l", "k8stasks.io/queue=default", "-o", "json"))
    assert len(jobs["items"]) == 1
    assert result.return_value["pod"].startswith(jobs["items"][0]["metadata"]["name"])
    assert "sandbox" in kubectl(kubeconfig, "get", "taskqueues")

    # The chart's NetworkPolicy for the isolated queue selects exactly that queue's task pod.
    policy = one(operator_process["manifests"], "NetworkPolicy")
    selector = ",".join(f"{k}={v}" for k, v in policy["spec"]["podSelector"]["matchLabels"].items())
    pods = json.loads(kubectl(kubeconfig, "get", "pods", "-l", selector, "-o", "json"))["items"]
    assert [p["metadata"]["name"] for p in pods] == [isolated.return_value["pod"]]
