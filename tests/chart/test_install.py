"""Install test: the chart installed with the real helm on the local cluster, the database Secret created
with the real kubectl, and the operator running as the pod the Deployment controller makes of the chart's
Deployment: the kubelet runs its command with the Deployment's own env (the database from the Secret by
envFrom, POD_NAME by fieldRef) and marks it Ready when its readiness probe (kopf's /healthz) answers, so
`kubectl rollout status` passes. Then tasks run through it, each as a Job the cluster runs; the isolated
queue's through the operator's own NetworkPolicy, sealed. Last, its /metrics (served through
operator.extraArgs) and /healthz show what the chart README says they expose, and no task's data.

Until ServiceAccount tokens and RBAC exist in the local cluster, the pod reaches the API server through a
kubeconfig passed in operator.extraEnv (cluster-admin), not through its ServiceAccount's Role."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from k8s_tasks.testing.sim import NodeSpec

from .helm import CHART, HELM, ROOT, by_kind, render

KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
NAMESPACE = "default"
RELEASE = "rel"
SECRET = "tasks-db"

pytestmark = pytest.mark.cluster(
    nodes=[NodeSpec(name="general-1", labels={"pool": "general"})], runtime="process"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(tool: Path, kubeconfig: Path, *args: str, timeout: float = 120) -> str:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    done = subprocess.run(
        [str(tool), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{tool.name} {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def kubectl(kubeconfig: Path, *args: str, timeout: float = 120) -> str:
    return run(KUBECTL, kubeconfig, "--namespace", NAMESPACE, *args, timeout=timeout)


def database_literals() -> dict[str, str]:
    """What the Secret of database.existingSecret holds in this test: where the live test database is."""
    data = {"K8S_TASKS_TEST_DB": os.environ.get("K8S_TASKS_TEST_DB", "sqlite")}
    data["K8S_TASKS_DB_NAME"] = str(connection.settings_dict["NAME"])
    data |= {k: os.environ[k] for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD") if k in os.environ}
    return data


def values(port: int, metrics_port: int, kubeconfig: Path) -> dict[str, Any]:
    return {
        "django": {"settingsModule": "tests.settings"},
        "database": {"existingSecret": SECRET},
        "health": {"port": port},
        "operator": {
            "pollSeconds": 0.2,
            "statusSeconds": 1,
            "extraEnv": [{"name": "KUBECONFIG", "value": str(kubeconfig)}],
            # The chart README's way to serve metrics without the Prometheus Operator's CRDs.
            "extraArgs": ["--metrics", f"127.0.0.1:{metrics_port}"],
        },
        "readinessProbe": {"initialDelaySeconds": 1, "periodSeconds": 1},
        "queues": {
            "default": {"concurrency": 2, "nodeSelector": {"pool": "general"}},
            "sandbox": {"network": "isolated", "nodeSelector": {"pool": "general"}},
        },
    }


@pytest.fixture
def installed(
    local_cluster: Any, subprocess_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    # The kubelet runs pods with the cluster's PYTHONPATH: the operator and task pods import tests.settings.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    kubeconfig = Path(local_cluster.kubeconfig_path)
    literals = [f"--from-literal={k}={v}" for k, v in database_literals().items()]
    kubectl(kubeconfig, "create", "secret", "generic", SECRET, *literals)
    chosen = values(free_port(), free_port(), kubeconfig)
    values_file = tmp_path / "values.json"
    values_file.write_text(json.dumps(chosen))
    run(
        HELM,
        kubeconfig,
        "install",
        RELEASE,
        str(CHART),
        "--namespace",
        NAMESPACE,
        "--values",
        str(values_file),
    )
    try:
        yield {
            "kubeconfig": kubeconfig,
            "manifests": render(chosen, namespace=NAMESPACE),
            "health": f"http://127.0.0.1:{chosen['health']['port']}/healthz",
            "metrics": f"http://{chosen['operator']['extraArgs'][1]}/metrics",
        }
    finally:
        run(HELM, kubeconfig, "uninstall", RELEASE, "--namespace", NAMESPACE)


def test_installed_chart_runs_the_operator_as_its_deployment_and_a_task(installed: dict[str, Any]) -> None:
    kubeconfig = installed["kubeconfig"]
    deployment = f"deployment/{RELEASE}-k8s-tasks"
    try:
        kubectl(kubeconfig, "rollout", "status", deployment, "--timeout=90s")
    except AssertionError:
        pytest.fail(kubectl(kubeconfig, "logs", deployment, "--tail=60"))
    [pod] = json.loads(
        kubectl(kubeconfig, "get", "pods", "-l", "app.kubernetes.io/name=k8s-tasks", "-o", "json")
    )["items"]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    assert pod["metadata"]["labels"]["pod-template-hash"]
    secret = json.loads(kubectl(kubeconfig, "get", "secret", SECRET, "-o", "json"))
    assert base64.b64decode(secret["data"]["K8S_TASKS_DB_NAME"]).decode() == connection.settings_dict["NAME"]

    from tests.waiting import wait_until

    from .tasks import shout

    result = shout.enqueue("installed")
    isolated = shout.using(queue_name="sandbox").enqueue("isolated")

    def finished() -> bool:
        for each in (result, isolated):
            each.refresh()
        return result.is_finished and isolated.is_finished

    wait_until(finished, timeout=90, interval=0.2, what=f"tasks {result.id} and {isolated.id} to finish")
    log_tail = kubectl(kubeconfig, "logs", deployment, "--tail=40")
    for each in (result, isolated):
        assert each.status.name == "SUCCESSFUL", (each.errors, log_tail)
    assert result.return_value["word"] == "INSTALLED"
    jobs = json.loads(kubectl(kubeconfig, "get", "jobs", "-l", "k8stasks.io/queue=default", "-o", "json"))
    assert len(jobs["items"]) == 1
    assert result.return_value["pod"].startswith(jobs["items"][0]["metadata"]["name"])
    assert "sandbox" in kubectl(kubeconfig, "get", "taskqueues")

    # The chart renders no NetworkPolicy: the operator isolates the sandbox queue with its own deny-all
    # policy, which selects exactly that queue's task pod; the TaskQueue's status names it.
    assert by_kind(installed["manifests"], "NetworkPolicy") == []
    policies = json.loads(kubectl(kubeconfig, "get", "networkpolicies", "-o", "json"))["items"]
    assert [p["metadata"]["name"] for p in policies] == ["k8s-tasks-isolate-sandbox"]
    (policy,) = policies
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert not policy["spec"].get("ingress") and not policy["spec"].get("egress")
    selector = ",".join(f"{k}={v}" for k, v in policy["spec"]["podSelector"]["matchLabels"].items())
    pods = json.loads(kubectl(kubeconfig, "get", "pods", "-l", selector, "-o", "json"))["items"]
    assert [p["metadata"]["name"] for p in pods] == [isolated.return_value["pod"]]
    # The sealed pod got no database: no Secret of the chart's in its env.
    (container,) = pods[0]["spec"]["containers"]
    assert SECRET not in json.dumps(container.get("envFrom", [])) + json.dumps(container.get("env", []))
    queues = json.loads(kubectl(kubeconfig, "get", "taskqueues", "-o", "json"))["items"]
    status = {q["metadata"]["name"]: q["status"] for q in queues}
    assert "NetworkPolicy k8s-tasks-isolate-sandbox" in status["sandbox"]["isolation"]
    # operator.podSecurity (restricted by default) is the level every queue's status shows.
    assert {name: s["podSecurity"] for name, s in status.items()} == {
        "default": "restricted",
        "sandbox": "restricted",
    }

    # What the endpoints expose (the chart README): queue names and counts, never a task's id, arguments
    # or result.
    private = [result.id, isolated.id, "installed", "isolated", "INSTALLED", "ISOLATED"]
    private += [result.return_value["pod"], isolated.return_value["pod"]]
    check_metrics(read(installed["metrics"]), private)
    # kopf caches the probe's answer for 10 s: wait for one taken after both Jobs were launched.
    health = wait_until(
        lambda: (
            (body := read(installed["health"])) and json.loads(body)["dispatch"]["launched"] >= 2 and body
        ),
        timeout=30,
        interval=1,
        what="the health endpoint to count both Jobs",
    )
    check_health(health, private)


def read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: str = response.read().decode()
        return body


def readme_section(heading: str) -> str:
    text = (CHART / "README.md").read_text()
    start = text.index(heading)
    return text[start : text.index("\n## ", start + 1)]


def check_metrics(body: str, private: list[str]) -> None:
    documented = set(re.findall(r"`(k8s_tasks_\w+?)(?:_total)?[{`]", readme_section("## Metrics")))
    labels = readme_section("## What the endpoints expose").split("Their labels are ", 1)[1].split(":", 1)[0]
    allowed = set(re.findall(r"`(\w+)`", labels)) | {"le"}  # le: the histogram's buckets
    families = {f.name: f for f in text_string_to_metric_families(body)}
    ours = {name for name in families if name.startswith("k8s_tasks_")}
    assert "k8s_tasks_jobs_created" in ours and ours <= documented, (ours, documented)
    assert all(name.startswith(("k8s_tasks_", "process_")) for name in families), sorted(families)
    for family in families.values():
        for sample in family.samples:
            assert set(sample.labels) <= allowed, (sample.name, sample.labels)
    assert not [word for word in private if word in body]


def check_health(body: str, private: list[str]) -> None:
    answer = json.loads(body)
    assert list(answer) == ["dispatch"]
    for readme in (CHART / "README.md", ROOT / "README.md"):  # both show the answer's shape
        documented = readme.read_text().split('`{"dispatch": {', 1)[1].split("}}`")[0]
        assert set(answer["dispatch"]) == set(re.findall(r'"(\w+)":', documented)), readme
    assert answer["dispatch"]["queues"] == ["default", "sandbox"]
    assert not [word for word in private if word in body]
