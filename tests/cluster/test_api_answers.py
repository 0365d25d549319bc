"""Answers worded and shaped as kube-apiserver's: Service defaults, what DELETE returns per kind, Status
bodies (field order, trailing newline), field selectors a kind does not support."""

import json
import urllib.error
import urllib.request

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from k8s_tasks.testing.cluster import LocalCluster

pytestmark = pytest.mark.cluster(runtime="fake")


def raw(cluster: LocalCluster, method: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(cluster.url + path, method=method, headers=cluster.admin_headers())
    try:
        with urllib.request.urlopen(request, timeout=10, context=cluster.ssl_context()) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_service_defaults_and_status(core: client.CoreV1Api) -> None:
    service = {
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80}, {"port": 9090, "targetPort": "metrics"}],
        },
    }
    created = core.create_namespaced_service("default", service).to_dict()
    spec = created["spec"]
    assert spec["type"] == "ClusterIP" and spec["session_affinity"] == "None"
    assert spec["cluster_ip"].startswith("10.") and spec["cluster_ips"] == [spec["cluster_ip"]]
    assert (spec["ip_families"], spec["ip_family_policy"], spec["internal_traffic_policy"]) == (
        ["IPv4"],
        "SingleStack",
        "Cluster",
    )
    ports = [(p["port"], p["protocol"], p["target_port"]) for p in spec["ports"]]
    assert ports == [(80, "TCP", 80), (9090, "TCP", "metrics")]
    assert created["status"] == {"conditions": None, "load_balancer": {"ingress": None}}
    node_port = core.create_namespaced_service(
        "default", {"metadata": {"name": "np"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}}
    )
    assert 30000 <= node_port.spec.ports[0].node_port <= 32767
    assert node_port.spec.external_traffic_policy == "Cluster"
    kept = core.patch_namespaced_service("web", "default", {"metadata": {"labels": {"tier": "front"}}})
    assert kept.spec.cluster_ip == spec["cluster_ip"]


def test_delete_answers_the_object_or_a_status_as_each_registry_does(
    local_cluster: LocalCluster, core
) -> None:
    core.create_namespaced_service(
        "default", {"metadata": {"name": "gone"}, "spec": {"ports": [{"port": 80}]}}
    )
    code, body = raw(local_cluster, "DELETE", "/api/v1/namespaces/default/services/gone")
    assert code == 200 and json.loads(body)["kind"] == "Service"  # ReturnDeletedObject
    core.create_namespaced_config_map("default", {"metadata": {"name": "cm"}})
    uid = core.read_namespaced_config_map("cm", "default").metadata.uid
    code, body = raw(local_cluster, "DELETE", "/api/v1/namespaces/default/configmaps/cm")
    assert code == 200
    assert body == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"cm",'
        b'"kind":"configmaps","uid":"' + uid.encode() + b'"}}\n'
    )


def test_error_bodies_have_upstreams_field_order_and_newline(local_cluster: LocalCluster) -> None:
    code, body = raw(local_cluster, "GET", "/api/v1/namespaces/default/pods/nope")
    assert code == 404
    assert body == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"nope\\" not '
        b'found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}\n'
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/pods?fieldSelector=spec.color%3Dred", "field label not supported: spec.color"),
        (
            "/api/v1/namespaces/default/configmaps?fieldSelector=data.k%3Dv",
            '"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"',
        ),
        ("/apis/batch/v1/jobs?fieldSelector=spec.suspend%3Dtrue", "field label not supported: spec.suspend"),
    ],
)
def test_unsupported_field_selectors_are_400(local_cluster: LocalCluster, path: str, message: str) -> None:
    code, body = raw(local_cluster, "GET", path)
    status = json.loads(body)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_supported_field_selectors_still_filter(core: client.CoreV1Api) -> None:
    core.create_namespaced_secret(
        "default", {"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {}}
    )
    core.create_namespaced_secret("default", {"metadata": {"name": "plain"}, "data": {}})
    found = core.list_namespaced_secret("default", field_selector="type=kubernetes.io/tls").items
    assert [s.metadata.name for s in found] == ["tls"]
    assert core.list_namespace(field_selector="status.phase=Active").items
    with pytest.raises(ApiException) as bad:
        core.list_namespaced_secret("default", field_selector="data.x=y")
    assert bad.value.status == 400


def test_secret_string_data_is_written_into_data_and_never_returned(core: client.CoreV1Api) -> None:
    """stringData is write-only: merged into data (base64, winning over the same key) on create and on
    update, as the core/v1 conversion does; type defaults to Opaque."""
    body = {"metadata": {"name": "s"}, "data": {"a": "b2xk", "keep": "eA=="}, "stringData": {"a": "new"}}
    created = core.create_namespaced_secret("default", body).to_dict()
    assert created["data"] == {"a": "bmV3", "keep": "eA=="} and created["string_data"] is None
    assert created["type"] == "Opaque"
    updated = core.patch_namespaced_secret("s", "default", {"stringData": {"b": "two"}}).to_dict()
    assert updated["data"] == {"a": "bmV3", "keep": "eA==", "b": "dHdv"} and updated["string_data"] is None
