"""The real kopf, run as a subprocess (``kopf run --standalone``) against the local cluster: create /
update / delete handlers, finalizers and status patches, on a custom resource and on Jobs."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from k8s_tasks.testing.cluster import LocalCluster
from tests.waiting import wait_until

from .conftest import WIDGET_CRD

KOPF = Path(sys.executable).parent / "kopf"
G, V, P = "example.com", "v1", "widgets"

OPERATOR = textwrap.dedent(
    """
    import sys

    import kopf
    import kubernetes

    kubernetes.config.load_kube_config()
    PY = sys.executable


    @kopf.on.startup()
    def configure(settings: kopf.OperatorSettings, **_):
        settings.watching.server_timeout = 30
        settings.posting.enabled = True


    @kopf.on.create("example.com", "v1", "widgets")
    def create_fn(name, namespace, spec, **_):
        job = {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": f"{name}-job", "labels": {"widget": name}},
            "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "main", "image": "python:3.12", "command": [PY, "-c", f"print({spec['size']})"]}]}}},
        }
        kopf.adopt(job)
        kubernetes.client.BatchV1Api().create_namespaced_job(namespace, job)
        return {"job": f"{name}-job"}


    @kopf.on.update("example.com", "v1", "widgets", field="spec.size")
    def resize(new, patch, **_):
        patch.status["size"] = new


    @kopf.on.delete("example.com", "v1", "widgets")
    def delete_fn(name, namespace, **_):
        kubernetes.client.CoreV1Api().create_namespaced_config_map(
            namespace, {"metadata": {"name": f"{name}-deleted"}})


    @kopf.on.create("batch", "v1", "jobs", labels={"widget": kopf.PRESENT})
    def job_seen(patch, **_):
        patch.metadata.annotations["example.com/seen"] = "yes"


    @kopf.on.field("batch", "v1", "jobs", field="status.succeeded", labels={"widget": kopf.PRESENT})
    def job_done(new, labels, namespace, **_):
        if new:
            kubernetes.client.CustomObjectsApi().patch_namespaced_custom_object_status(
                "example.com", "v1", namespace, "widgets", labels["widget"], {"status": {"jobDone": True}})
    """
)

CRD = WIDGET_CRD


@pytest.fixture
def operator(local_cluster: LocalCluster, api: client.ApiClient, kube_env: dict[str, str], tmp_path: Path):
    client.ApiextensionsV1Api(api).create_custom_resource_definition(CRD)
    source = tmp_path / "operator.py"
    source.write_text(OPERATOR)
    log = (tmp_path / "kopf.log").open("w+")
    process = subprocess.Popen(
        [str(KOPF), "run", "--standalone", "-n", "default", "--verbose", str(source)],
        env=kube_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.seek(0)
    output = log.read()
    log.close()
    assert "Traceback" not in output and "ERROR" not in output, output[-4000:]


def widget(custom: client.CustomObjectsApi, name: str) -> dict | None:
    try:
        return custom.get_namespaced_custom_object(G, V, "default", P, name)
    except ApiException as error:
        if error.status == 404:
            return None
        raise


def test_kopf_operator_whole_lifecycle(operator, api: client.ApiClient) -> None:
    custom, batch, core = client.CustomObjectsApi(api), client.BatchV1Api(api), client.CoreV1Api(api)
    body = {"apiVersion": f"{G}/{V}", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}}
    custom.create_namespaced_custom_object(G, V, "default", P, body)

    # create handler ran: its Job exists, adopted by the widget; kopf stored the result in status
    found = wait_until(
        lambda: (widget(custom, "w") or {}).get("status", {}).get("create_fn"), what="create_fn"
    )
    assert found == {"job": "w-job"}
    job = batch.read_namespaced_job("w-job", "default")
    owner = job.metadata.owner_references[0]
    assert owner.kind == "Widget" and owner.name == "w" and owner.controller
    # kopf put its finalizer on the widget (it has a delete handler)
    assert widget(custom, "w")["metadata"]["finalizers"]

    # a Job handler patched the Job's metadata; another saw status.succeeded and patched the widget status
    wait_until(
        lambda: (batch.read_namespaced_job("w-job", "default").metadata.annotations or {}).get(
            "example.com/seen"
        ),
        what="the job annotation",
    )
    wait_until(lambda: widget(custom, "w")["status"].get("jobDone"), what="jobDone on the widget")

    # update handler
    custom.patch_namespaced_custom_object(G, V, "default", P, "w", {"spec": {"size": 5}})
    wait_until(lambda: widget(custom, "w")["status"].get("size") == 5, what="status.size == 5")

    # delete: the handler runs, kopf removes its finalizer, the widget goes, GC takes the Job
    custom.delete_namespaced_custom_object(G, V, "default", P, "w")
    wait_until(lambda: widget(custom, "w") is None, what="the widget to be deleted")
    assert core.read_namespaced_config_map("w-deleted", "default").metadata.name == "w-deleted"
    assert batch.list_namespaced_job("default", label_selector="widget=w").items == []
