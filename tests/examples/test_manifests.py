"""The demo's cluster manifests: nodes.yaml, queues.yaml (against the pydantic model, the CRD schema and,
through the Jobs they produce, the Kubernetes 1.37 schemas) and the Dockerfile's inputs."""

import json
import subprocess
import sys
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from k8s_tasks.profiles import TaskRef, build_job, parse_profile
from k8s_tasks.testing.sim.nodes import load_nodes

from .conftest import DEMO, ROOT

QUEUES = [doc for doc in yaml.safe_load_all((DEMO / "queues.yaml").read_text()) if doc]


def demo_queue_names(env: dict[str, str]) -> list[str]:
    """TASKS["default"]["QUEUES"] as the demo project's settings define them (in a demo process)."""
    code = "import django, json; django.setup(); from django.conf import settings; "
    code += "print(json.dumps(settings.TASKS['default']['QUEUES']))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    names: list[str] = json.loads(out.stdout)
    return names


def test_nodes_cover_each_pool() -> None:
    nodes = {node.name: node for node in load_nodes(DEMO / "nodes.yaml")}
    assert {node.labels["pool"] for node in nodes.values()} == {"general", "highmem", "gpu"}
    gpu = nodes["gpu-1"]
    assert gpu.allocatable["nvidia.com/gpu"] == "1"
    assert [t["key"] for t in gpu.taints] == ["nvidia.com/gpu"]
    assert all("nvidia.com/gpu" not in n.allocatable for name, n in nodes.items() if name != "gpu-1")


def test_one_valid_taskqueue_per_demo_queue(demo_env: dict[str, str]) -> None:
    profiles = {
        doc["metadata"]["name"]: parse_profile(doc["metadata"]["name"], doc["spec"]) for doc in QUEUES
    }
    assert sorted(profiles) == sorted(demo_queue_names(demo_env))
    assert (profiles["gpu"].pool, profiles["gpu"].gpus) == ("pool=gpu", "1")
    assert profiles["highmem"].pool == "pool=highmem"
    assert [v.mount_path for v in profiles["highmem"].volumes] == ["/scratch"]
    assert profiles["sandbox"].network == "isolated"
    assert profiles["retrying"].retries.attempts == 2
    assert profiles["deadline"].timeout_seconds == 3


@pytest.fixture(scope="module")
def crd_schema() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "k8s_tasks_operator", "crd"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    crd = next(d for d in yaml.safe_load_all(out) if d["spec"]["names"]["kind"] == "TaskQueue")
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


@pytest.mark.parametrize("doc", QUEUES, ids=[d["metadata"]["name"] for d in QUEUES])
def test_taskqueue_matches_the_crd_schema(doc: dict[str, Any], crd_schema: dict[str, Any]) -> None:
    assert doc["apiVersion"] == "k8stasks.io/v1alpha1" and doc["kind"] == "TaskQueue"
    jsonschema.validate(doc, crd_schema)


@pytest.mark.parametrize("doc", QUEUES, ids=[d["metadata"]["name"] for d in QUEUES])
def test_jobs_of_each_queue_are_valid_kubernetes(doc: dict[str, Any]) -> None:
    profile = parse_profile(doc["metadata"]["name"], doc["spec"])
    task = TaskRef(id="0b5d2c1e-demo", attempt=1, task_path="hello.greet", queue_name=profile.queue_name)
    job = build_job(
        profile,
        task,
        namespace="default",
        default_image="k8s-tasks-demo:latest",
        settings_module="demo_project.settings",
    )
    kubernetes_validate.validate(job, "1.37", strict=True)
    pod = job["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == dict(doc["spec"]["nodeSelector"])
    if doc["metadata"]["name"] == "gpu":
        assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
        assert any(t["key"] == "nvidia.com/gpu" for t in pod["tolerations"])


def test_dockerfile_copies_files_that_exist() -> None:
    dockerfile = (DEMO / "Dockerfile").read_text()
    sources = [
        src for line in dockerfile.splitlines() if line.startswith("COPY ") for src in line.split()[1:-1]
    ]
    assert sources, "the Dockerfile copies nothing"
    assert [src for src in sources if not (ROOT / src).exists()] == []
    assert "demo_project.settings" in dockerfile
