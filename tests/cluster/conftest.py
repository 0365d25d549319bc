"""Helpers for tests that drive the local cluster through the real clients (kubernetes, kubectl, kopf)."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from k8s_tasks.testing.cluster import LocalCluster

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
PY = sys.executable


def job_manifest(name: str, command: list[str], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": {"app": "demo"}},
        "spec": {
            "backoffLimit": 0,
            **spec,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "python:3.12", "command": command}],
                }
            },
        },
    }


WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                        },
                    }
                },
            }
        ],
    },
}
"""A small namespaced custom resource (example.com/v1 Widget, status subresource) for CRD tests."""


def running_pod(core: client.CoreV1Api, job_name: str) -> client.V1Pod:
    """Wait for the Job's pod to be Running; return it."""
    from tests.waiting import wait_until

    def running() -> client.V1Pod | None:
        pods = core.list_namespaced_pod("default", label_selector=f"job-name={job_name}").items
        return next((p for p in pods if p.status.phase == "Running"), None)

    pod: client.V1Pod = wait_until(running, what=f"the pod of Job {job_name} to run")
    return pod


@pytest.fixture
def api(local_cluster: LocalCluster) -> Iterator[client.ApiClient]:
    """A kubernetes.client ApiClient configured from the cluster's kubeconfig file."""
    api_client = config.new_client_from_config(config_file=str(local_cluster.kubeconfig_path))
    yield api_client
    api_client.close()


@pytest.fixture
def core(api: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api)


@pytest.fixture
def batch(api: client.ApiClient) -> client.BatchV1Api:
    return client.BatchV1Api(api)


@pytest.fixture
def kube_env(local_cluster: LocalCluster) -> dict[str, str]:
    env = dict(os.environ)
    env["KUBECONFIG"] = str(local_cluster.kubeconfig_path)
    env["HOME"] = str(local_cluster.workdir)  # kubectl's discovery cache stays per test
    return env


@pytest.fixture
def kubectl(kube_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real kubectl against the cluster: ``kubectl("get", "jobs", check=False, input=...)``."""
    if not KUBECTL.exists():
        pytest.skip(f"kubectl is not installed at {KUBECTL}: run the tool installer")

    def run(*args: str, check: bool = True, input: str | None = None, timeout: float = 60):
        result = subprocess.run(
            [str(KUBECTL), *args], env=kube_env, capture_output=True, text=True, input=input, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    return run
