"""The audit log: every API request the server handles, with the user as authenticated, the verb as the API
server names it, the group, resource, subresource, namespace, name and response code; in memory
(``LocalCluster.audit``), in a JSON-lines file (``audit_path``) and from the CLI (``--audit-log``)."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from k8s_tasks.testing.audit import read_audit_file
from k8s_tasks.testing.cluster import LocalCluster, cli_command, run_in_thread
from tests.cluster.conftest import KUBECTL, job_manifest
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster(runtime="fake", fake_seconds=60)
ADMIN = "kubernetes-admin"


def _find(cluster: LocalCluster, **attributes: object) -> list:
    return [e for e in cluster.audit if all(getattr(e, k) == v for k, v in attributes.items())]


def test_each_verb_as_the_api_server_names_it(local_cluster: LocalCluster, batch, core, kubectl) -> None:
    batch.create_namespaced_job("default", job_manifest("audited", ["true"]))
    batch.read_namespaced_job("audited", "default")
    batch.patch_namespaced_job_status("audited", "default", {"metadata": {"labels": {"x": "y"}}})
    batch.list_namespaced_job("default", label_selector="app=demo")
    for _ in watch.Watch().stream(batch.list_namespaced_job, "default", timeout_seconds=1):
        break
    with pytest.raises(ApiException):
        core.read_namespaced_config_map("missing", "default")
    kubectl("delete", "jobs", "--all", "--wait=false")

    expected = [
        {"verb": "create", "api_group": "batch", "resource": "jobs", "name": "", "code": 201},
        {"verb": "get", "resource": "jobs", "name": "audited", "code": 200},
        {"verb": "patch", "resource": "jobs", "subresource": "status", "name": "audited", "code": 200},
        {"verb": "list", "resource": "jobs", "namespace": "default", "code": 200},
        {"verb": "watch", "resource": "jobs", "namespace": "default", "code": 200},
        {"verb": "get", "api_group": "", "resource": "configmaps", "name": "missing", "code": 404},
    ]
    for attributes in expected:
        found = _find(local_cluster, user=ADMIN, **attributes)
        assert found, f"no audit entry with {attributes}: {list(local_cluster.audit)[-12:]}"
        assert found[0].groups == ("system:masters", "system:authenticated")
    # kubectl's discovery is audited as non-resource requests; its delete --all is a list, then deletes
    assert _find(local_cluster, resource_request=False, path="/api", verb="get")
    wait_until(lambda: _find(local_cluster, verb="delete", resource="jobs", name="audited"), what="delete")
    assert local_cluster.audit.of_user(ADMIN) == [e for e in local_cluster.audit if e.user == ADMIN]
    assert local_cluster.audit.matching(verb="create", resource="jobs", code=201)


def test_deletecollection_and_the_namespace_of_a_namespace(local_cluster: LocalCluster, core) -> None:
    core.delete_collection_namespaced_config_map("default")
    core.read_namespace("kube-system")
    assert _find(local_cluster, verb="deletecollection", resource="configmaps", namespace="default")
    # as upstream's RequestInfo: GET /api/v1/namespaces/NAME is in the namespace NAME
    assert _find(
        local_cluster, verb="get", resource="namespaces", name="kube-system", namespace="kube-system"
    )


def test_an_unknown_token_is_401_and_audited_without_a_user(local_cluster: LocalCluster) -> None:
    request = urllib.request.Request(
        local_cluster.url + "/api/v1/namespaces/default/pods", headers={"Authorization": "Bearer nonsense"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10, context=local_cluster.ssl_context())
    assert caught.value.code == 401
    assert json.loads(caught.value.read()) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }
    assert _find(local_cluster, user="", code=401, resource="pods", verb="list")


def test_audit_path_gets_one_json_line_per_request(tmp_path: Path) -> None:
    path = tmp_path / "audit" / "log.jsonl"
    with run_in_thread(runtime="fake", workdir=tmp_path / "c", audit_path=path) as cluster:
        api = client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig_path)))
        api.list_namespace()
        wait_until(lambda: len(read_audit_file(path)) >= 1, what="the audit file's first line")
        lines = read_audit_file(path)
        assert len(lines) == len(cluster.audit)
    assert lines[-1] | {"groups": None} == {
        "user": ADMIN,
        "groups": None,
        "verb": "list",
        "api_group": "",
        "resource": "namespaces",
        "subresource": "",
        "namespace": "",
        "name": "",
        "code": 200,
        "path": "/api/v1/namespaces",
        "resource_request": True,
    }


def test_cli_audit_log_flag(tmp_path: Path) -> None:
    if not KUBECTL.exists():
        pytest.skip("kubectl is not installed")
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(yaml.safe_dump({"nodes": [{"name": "node-1"}]}))
    kubeconfig, audit = tmp_path / "kubeconfig", tmp_path / "audit.jsonl"
    command = cli_command(
        nodes, kubeconfig, "--runtime", "fake", "--audit-log", str(audit), python=sys.executable
    )
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: kubeconfig.exists() or proc.poll() is not None, timeout=60, what="the CLI cluster")
        assert proc.poll() is None, proc.communicate()[0]
        env = {"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        done = subprocess.run([str(KUBECTL), "get", "namespaces"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        entries = read_audit_file(audit)
        assert any(
            e["verb"] == "list" and e["resource"] == "namespaces" and e["user"] == ADMIN and e["code"] == 200
            for e in entries
        ), entries
    finally:
        proc.terminate()
        proc.wait(timeout=30)
