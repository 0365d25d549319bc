"""managedFields and server-side apply through the real kubectl and helm: who owns which field, the
FieldsV1 encoding, conflicts between field managers worded as the API server words them (409), taking
fields over with force, fields dropped from an applied configuration, and helm 4's server-side installs."""

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from k8s_tasks.testing.cluster import LocalCluster

from .conftest import ROOT

Kubectl = Callable[..., subprocess.CompletedProcess[str]]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n  labels: {app: x}\ndata:\n  a: '1'\n  b: '2'\n"
HELM = ROOT / ".tools" / "bin" / "helm"


def managed(kubectl: Kubectl, kind: str, name: str) -> list[dict[str, Any]]:
    got = kubectl("get", kind, name, "-o", "jsonpath={.metadata.managedFields}").stdout
    return [{k: v for k, v in e.items() if k != "time"} for e in json.loads(got)]


def apply_raw(api: client.ApiClient, body: dict, **query: str) -> tuple[int, dict]:
    request = api.param_serialize(
        method="PATCH",
        resource_path="/api/v1/namespaces/default/configmaps/" + body["metadata"]["name"],
        query_params=list(query.items()),
        header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(*request)
    return response.status, json.loads(response.read())


def test_an_apply_owns_what_it_applies(kubectl: Kubectl) -> None:
    assert (
        kubectl("apply", "--server-side", "-f", "-", input=CM).stdout.strip()
        == "configmap/s serverside-applied"
    )
    assert managed(kubectl, "cm", "s") == [
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:app": {}}}},
            "manager": "kubectl",
            "operation": "Apply",
        }
    ]


def test_an_update_owns_what_it_changes_and_its_new_maps(kubectl: Kubectl) -> None:
    kubectl("create", "deployment", "web", "--image=nginx")
    (entry,) = managed(kubectl, "deploy", "web")
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == (
        "kubectl-create",
        "Update",
        "apps/v1",
    )
    fields = entry["fieldsV1"]
    assert fields["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}
    assert fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']["."] == {}
    assert "f:status" not in fields  # the status is the status subresource's
    kubectl("label", "deployment", "web", "tier=front")
    assert [e["manager"] for e in managed(kubectl, "deploy", "web")] == ["kubectl-create", "kubectl-label"]


def test_conflicting_apply_is_409_until_forced(kubectl: Kubectl, local_cluster: LocalCluster) -> None:
    kubectl("apply", "--server-side", "-f", "-", input=CM)
    kubectl("patch", "cm", "s", "-p", '{"data":{"a":"9"}}')
    refused = kubectl("apply", "--server-side", "-f", "-", input=CM, check=False)
    assert refused.returncode == 1
    first = refused.stderr.splitlines()[0]
    assert (
        TIME.sub("T", first)
        == 'error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1 at T: .data.a'
    )
    kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input=CM)
    assert [e["manager"] for e in managed(kubectl, "cm", "s")] == [
        "kubectl"
    ]  # kubectl-patch owned nothing more
    got = json.loads(kubectl("get", "cm", "s", "-o", "json").stdout)
    assert got["data"] == {"a": "1", "b": "2"}


def test_several_conflicts_are_listed_by_manager(api: client.ApiClient, kubectl: Kubectl) -> None:
    kubectl("apply", "--server-side", "-f", "-", input=CM)
    kubectl("patch", "cm", "s", "-p", '{"data":{"a":"8","b":"9"}}')
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {"a": "1", "b": "2"}}
    status, answer = apply_raw(api, body, fieldManager="kubectl")
    assert status == 409 and answer["reason"] == "Conflict"
    assert TIME.sub("T", answer["message"]) == (
        'Apply failed with 2 conflicts: conflicts with "kubectl-patch" using v1 at T:\n- .data.a\n- .data.b'
    )
    assert [(c["reason"], c["field"]) for c in answer["details"]["causes"]] == [
        ("FieldManagerConflict", ".data.a"),
        ("FieldManagerConflict", ".data.b"),
    ]
    same = {**body, "data": {"a": "8", "b": "9"}}  # the same values: shared, no conflict
    assert apply_raw(api, same, fieldManager="other")[0] == 200


def test_fields_dropped_from_the_configuration_go_unless_another_manager_has_them(kubectl: Kubectl) -> None:
    kubectl("apply", "--server-side", "-f", "-", input=CM)
    kubectl("apply", "--server-side", "--field-manager=ops", "-f", "-", input=CM.replace("  a: '1'\n", ""))
    kubectl("apply", "--server-side", "-f", "-", input=CM.split("\ndata:")[0])  # no data at all
    got = json.loads(kubectl("get", "cm", "s", "-o", "json").stdout)
    assert got["data"] == {"b": "2"}  # a was kubectl's alone; b is ops' too
    assert got["metadata"]["labels"] == {"app": "x"}


def test_patch_options_are_checked(api: client.ApiClient) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}, "data": {"a": "1"}}
    status, answer = apply_raw(api, body)
    assert (status, answer["message"]) == (
        422,
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    )
    assert apply_raw(api, body, fieldManager="me")[0] == 201


@pytest.fixture
def helm(kube_env: dict[str, str], tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    if not HELM.exists():
        pytest.skip(f"helm is not installed at {HELM}")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: small\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("value: one\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\ndata:\n  value: {{ .Values.value }}\n"
    )

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(HELM), *args, str(chart)], env=kube_env, capture_output=True, text=True, timeout=60
        )
        if check and result.returncode != 0:
            raise AssertionError(f"helm {' '.join(args)} failed:\n{result.stderr}")
        return result

    return run


def test_helm_applies_server_side_and_meets_conflicts(helm, kubectl: Kubectl) -> None:
    helm("install", "small")
    (entry,) = managed(kubectl, "cm", "small")
    assert (entry["manager"], entry["operation"]) == ("helm", "Apply")
    kubectl("patch", "cm", "small", "-p", '{"data":{"value":"edited"}}')
    refused = helm("upgrade", "small", "--set", "value=two", check=False)
    assert refused.returncode != 0 and 'conflict with "kubectl-patch"' in refused.stderr
    helm("upgrade", "small", "--set", "value=two", "--force-conflicts")
    assert json.loads(kubectl("get", "cm", "small", "-o", "json").stdout)["data"] == {"value": "two"}


def test_kubectl_takes_over_its_own_client_side_apply(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", input=CM)  # client-side: kubectl-client-side-apply, last-applied annotation
    applied = kubectl("apply", "--server-side", "-f", "-", input=CM.replace("'1'", "'3'"))
    assert applied.stdout.strip() == "configmap/s serverside-applied"  # no conflict with its own fields
    # kubectl moved its client-side fields to itself by setting managedFields (csaupgrade)
    entries = {e["manager"]: e for e in managed(kubectl, "cm", "s")}
    assert sorted(entries) == ["kubectl", "kubectl-last-applied"]
    assert entries["kubectl"]["fieldsV1"]["f:data"] == {"f:a": {}, "f:b": {}}
    kubectl("patch", "cm", "s", "-p", '{"data":{"b":"7"}}')  # changed since: a conflict again
    refused = kubectl("apply", "--server-side", "-f", "-", input=CM.replace("'2'", "'8'"), check=False)
    assert 'conflict with "kubectl-patch"' in refused.stderr
