"""The CRD and the generated Jobs on the local cluster, through real HTTP clients and the real kubectl:
semantic errors survive the API server (so the operator can report them), wrong types do not, and
``kubectl get taskqueues`` shows the printer columns."""

import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from k8s_tasks.profiles import ProfileError, TaskRef, build_job, parse_profile
from k8s_tasks.testing.cluster import LocalCluster
from k8s_tasks_operator.crd import GROUP, PLURAL, VERSION, load_crd
from tests.conftest import ROOT

from .conftest import SPECS, UUID

KUBECTL = str(ROOT / ".tools" / "bin" / "kubectl")
pytestmark = pytest.mark.cluster(runtime="fake", fake_seconds=30.0)


@pytest.fixture
def api(local_cluster: LocalCluster) -> Iterator[client.ApiClient]:
    api_client = config.new_client_from_config(config_file=str(local_cluster.kubeconfig_path))
    client.ApiextensionsV1Api(api_client).create_custom_resource_definition(load_crd())
    yield api_client
    api_client.close()


@pytest.fixture
def kubectl(local_cluster: LocalCluster, api: client.ApiClient) -> Callable[..., str]:
    env = {**os.environ, "KUBECONFIG": str(local_cluster.kubeconfig_path), "HOME": str(local_cluster.workdir)}

    def run(*args: str) -> str:
        done = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def create_queue(api: client.ApiClient, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "TaskQueue", "metadata": {"name": name}, "spec": spec}
    objects = client.CustomObjectsApi(api)
    created: dict[str, Any] = objects.create_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, body)
    return created


def test_semantic_errors_reach_the_operator_intact(api: client.ApiClient) -> None:
    spec = {"resources": {"limits": {"memory": "lots"}}, "timeout": 30, "retries": {"atempts": 2}}
    created = create_queue(api, "broken", spec)
    assert created["spec"] == spec  # nothing pruned, nothing refused
    with pytest.raises(ProfileError) as error:
        parse_profile("broken", created["spec"])
    assert {p.field for p in error.value.problems} == {
        "spec.resources.limits.memory",
        "spec.timeout",
        "spec.retries.atempts",
    }


def test_wrong_types_are_refused_by_the_api_server(api: client.ApiClient) -> None:
    with pytest.raises(ApiException) as error:
        create_queue(api, "bad", {"concurrency": "three"})
    assert error.value.status == 422
    assert "spec.concurrency" in str(error.value.body)


def test_kubectl_get_taskqueues_shows_the_columns(api: client.ApiClient, kubectl: Callable[..., str]) -> None:
    for name in ("gpu", "highmem"):
        create_queue(api, name, {**SPECS[name], "queueName": name})
    profile = parse_profile("gpu", SPECS["gpu"])
    status = {  # as the operator writes it
        "queueName": "gpu",
        "pool": profile.pool,
        "gpus": profile.gpus,
        "ready": 3,
        "running": 2,
        "succeeded": 7,
        "failed": 1,
        "conditions": [{"type": "Valid", "status": "True", "reason": "ProfileAccepted", "message": "ok"}],
    }
    client.CustomObjectsApi(api).patch_namespaced_custom_object_status(
        GROUP, VERSION, "default", PLURAL, "gpu", {"status": status}
    )
    table = kubectl("get", "tq")
    header, *rows = [line.split() for line in table.strip().splitlines()]
    assert header == ["NAME", "QUEUE", "POOL", "GPUS", "READY", "RUNNING", "FAILED", "VALID", "AGE"]
    assert rows[0][:8] == ["gpu", "gpu", "pool=gpu", "1", "3", "2", "1", "True"]
    assert rows[1][0] == "highmem"  # no status yet: the operator fills QUEUE, POOL and the counts


def test_a_built_job_is_accepted_and_selectable_by_queue(
    api: client.ApiClient, kubectl: Callable[..., str]
) -> None:
    task = TaskRef(id=UUID, attempt=1, task_path="myapp.tasks.render", queue_name="gpu")
    job = build_job(
        parse_profile("gpu", SPECS["isolated"]),
        task,
        namespace="default",
        default_image="i",
        settings_module="s",
    )
    client.BatchV1Api(api).create_namespaced_job("default", job)
    names = kubectl("get", "jobs", "-l", "k8stasks.io/queue=gpu,k8stasks.io/network=isolated", "-o", "name")
    assert names.split() == [f"job.batch/{job['metadata']['name']}"]
    assert kubectl("get", "jobs", "-l", "k8stasks.io/queue=other", "-o", "name").strip() == ""
