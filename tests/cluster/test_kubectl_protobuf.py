"""The real kubectl sends protobuf bodies for `kubectl create <kind>`: each stored object equals the one the
same object sent as JSON gives. Content negotiation answers as kube-apiserver words it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from k8s_tasks.testing.cluster import LocalCluster

pytestmark = pytest.mark.cluster(runtime="fake")

# (kubectl create arguments, namespaced)
CREATE_FORMS = [
    (["namespace", "proto-ns"], False),
    (
        ["secret", "generic", "db", "--from-literal=PGHOST=db.internal", "--from-literal=PGPASSWORD=s3cret"],
        True,
    ),
    (
        [
            "secret",
            "docker-registry",
            "pull",
            "--docker-server=r.example.com",
            "--docker-username=u",
            "--docker-password=p",
        ],
        True,
    ),
    (["configmap", "settings", "--from-literal=mode=fast", "--from-literal=empty="], True),
    (["serviceaccount", "runner"], True),
    (["role", "reader", "--verb=get,list,watch", "--resource=pods,jobs.batch"], True),
    (["rolebinding", "reader", "--role=reader", "--serviceaccount=default:runner", "--user=ann"], True),
    (["clusterrole", "node-reader", "--verb=get", "--resource=nodes"], False),
    (["clusterrolebinding", "node-reader", "--clusterrole=node-reader", "--group=ops"], False),
    (["deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=8080"], True),
    (["job", "once", "--image=busybox", "--", "sh", "-c", "echo hi"], True),
    (["cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "date"], True),
    (["service", "clusterip", "web", "--tcp=80:8080"], True),
    (["quota", "limits", "--hard=pods=10,requests.cpu=2"], True),
    (["poddisruptionbudget", "web", "--selector=app=web", "--min-available=50%"], True),
    (["priorityclass", "batch-low", "--value=-10", "--description=low"], False),
]


def _normal(obj: dict[str, Any], twin_suffix: str = "") -> dict[str, Any]:
    """The object without what differs between two creations: uid, version, time, namespace, cluster IP."""
    text = json.dumps(obj).replace(obj["metadata"]["uid"], "UID")
    if twin_suffix:  # a cluster-scoped twin has another name; its name label follows it
        name = obj["metadata"]["name"]
        text = text.replace(f'"{name}"', f'"{name.removesuffix(twin_suffix)}"')
    result = json.loads(text)
    for key in ("uid", "resourceVersion", "creationTimestamp", "namespace", "managedFields"):
        result["metadata"].pop(key, None)
    if result["kind"] == "Service":  # allocated at random
        assert result["spec"].pop("clusterIP") == result["spec"].pop("clusterIPs")[0]
    return dict(result)


def _post_json(cluster: LocalCluster, body: dict[str, Any], namespace: str | None) -> dict[str, Any]:
    rt = cluster.store.resource_type(body["apiVersion"], body["kind"])
    prefix = f"/apis/{rt.group}/{rt.version}" if rt.group else "/api/v1"
    path = f"{prefix}/namespaces/{namespace}/{rt.plural}" if namespace else f"{prefix}/{rt.plural}"
    request = urllib.request.Request(
        cluster.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **cluster.admin_headers()},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10, context=cluster.ssl_context()) as response:
        return dict(json.loads(response.read()))


@pytest.mark.parametrize(
    ("args", "namespaced"), CREATE_FORMS, ids=lambda v: v[0] if isinstance(v, list) else ""
)
def test_protobuf_create_equals_json_create(local_cluster: LocalCluster, kubectl, args, namespaced) -> None:
    # Both sides are the server's answer to the create: the stored object before any controller acts.
    stored = json.loads(kubectl("create", *args[:2], "--output=json", *args[2:]).stdout)  # protobuf
    dry_run = [*args[:2], "--dry-run=client", "--output=json", *args[2:]]  # flags before any `--`
    sent = json.loads(kubectl("create", *dry_run).stdout)
    if namespaced:
        kubectl("create", "namespace", "twin")
        twin = _post_json(local_cluster, sent, "twin")
        suffix = ""
    else:
        suffix = "-twin"
        sent["metadata"]["name"] += suffix
        twin = _post_json(local_cluster, sent, None)
    assert _normal(stored) == _normal(twin, suffix)


def _request(cluster: LocalCluster, path: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(cluster.url + path, headers={**headers, **cluster.admin_headers()})
    try:
        with urllib.request.urlopen(request, timeout=10, context=cluster.ssl_context()) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_accept_only_protobuf_is_406_and_json_or_any_is_served(local_cluster: LocalCluster) -> None:
    code, body = _request(local_cluster, "/api/v1/namespaces", Accept="application/vnd.kubernetes.protobuf")
    assert code == 406
    assert body == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"only the '
        b"following media types are accepted: application/json, application/yaml"
        b'","reason":"NotAcceptable","code":406}\n'
    )
    for accept in (
        "application/vnd.kubernetes.protobuf, application/json",
        "*/*",
        "application/json;as=Table",
    ):
        assert _request(local_cluster, "/api/v1/namespaces", Accept=accept)[0] == 200


def test_unknown_body_formats_are_415(local_cluster: LocalCluster) -> None:
    request = urllib.request.Request(
        local_cluster.url + "/api/v1/namespaces/default/configmaps",
        data=b"\xd9\xd9\xf7",
        headers={"Content-Type": "application/cbor", **local_cluster.admin_headers()},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10, context=local_cluster.ssl_context())
    status = json.loads(caught.value.read())
    assert (caught.value.code, status["reason"]) == (415, "UnsupportedMediaType")
    assert status["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf"
    )


def test_kubectl_create_really_sends_protobuf(kubectl) -> None:
    done = kubectl("create", "configmap", "traced", "--from-literal=a=b", "-v=9")
    assert 'Content-Type: application/vnd.kubernetes.protobuf"' in done.stderr
    assert "configmap/traced created" in done.stdout


def test_custom_resources_have_no_protobuf_form(local_cluster: LocalCluster, kubectl) -> None:
    import yaml

    from .conftest import WIDGET_CRD
    from .protobuf_encoder import envelope, raw, text

    kubectl("apply", "-f", "-", input=yaml.safe_dump(WIDGET_CRD))
    request = urllib.request.Request(
        local_cluster.url + "/apis/example.com/v1/namespaces/default/widgets",
        data=envelope("example.com/v1", "Widget", raw(1, text(1, "w"))),
        headers={
            "Content-Type": "application/vnd.kubernetes.protobuf",
            "Accept": "application/json",
            **local_cluster.admin_headers(),
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10, context=local_cluster.ssl_context())
    assert caught.value.code == 415
    assert json.loads(caught.value.read())["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml"
    )
