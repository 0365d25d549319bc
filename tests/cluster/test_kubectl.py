"""The real kubectl binary against the local cluster: get (server-side tables), create/apply (with the
server's OpenAPI and field validation), invalid manifests, CRD printer columns, delete."""

import json

import yaml

from .conftest import PY, job_manifest

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "taskqueues.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "taskqueues", "singular": "taskqueue", "kind": "TaskQueue", "shortNames": ["tq"]},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"pool": {"type": "string"}, "gpus": {"type": "integer"}},
                            }
                        },
                    }
                },
                "additionalPrinterColumns": [
                    {"name": "Pool", "type": "string", "jsonPath": ".spec.pool"},
                    {"name": "GPUs", "type": "integer", "jsonPath": ".spec.gpus"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
            }
        ],
    },
}


def header(output: str) -> list[str]:
    return output.splitlines()[0].split()


def test_get_nodes_and_namespaces_show_real_columns(kubectl) -> None:
    nodes = kubectl("get", "nodes").stdout
    assert header(nodes) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert nodes.splitlines()[1].split()[:2] == ["node-1", "Ready"]
    assert header(kubectl("get", "ns").stdout) == ["NAME", "STATUS", "AGE"]


def test_create_then_get_job_columns_and_wide(kubectl) -> None:
    manifest = yaml.safe_dump(job_manifest("cols", [PY, "-c", "print(1)"], suspend=True))
    assert kubectl("create", "-f", "-", input=manifest).stdout.strip() == "job.batch/cols created"
    out = kubectl("get", "jobs").stdout
    assert header(out) == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    name, status, completions = out.splitlines()[1].split()[:3]
    assert (name, completions) == ("cols", "0/1")
    assert status in ("Running", "Suspended")  # Suspended once the Job controller has seen it
    wide = kubectl("get", "job", "cols", "-o", "wide").stdout
    assert header(wide)[-3:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert "batch.kubernetes.io/controller-uid=" in wide


def test_invalid_manifest_is_refused_with_422_naming_the_field(kubectl) -> None:
    manifest = job_manifest("bad", [PY])
    manifest["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    result = kubectl("create", "-f", "-", "-v=6", input=yaml.safe_dump(manifest), check=False)
    assert result.returncode == 1
    assert 'The Job "bad" is invalid: spec.template.spec.restartPolicy: Required value' in result.stderr
    assert "422 Unprocessable Entity" in result.stderr


def test_unknown_field_is_refused_by_strict_field_validation(kubectl) -> None:
    manifest = job_manifest("typo", [PY])
    manifest["spec"]["template"]["spec"]["containers"][0]["comand"] = ["x"]
    result = kubectl("create", "-f", "-", input=yaml.safe_dump(manifest), check=False)
    assert result.returncode == 1
    assert 'unknown field "spec.template.spec.containers[0].comand"' in result.stderr


def test_apply_creates_then_is_unchanged_then_configures(kubectl) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}}
    assert (
        kubectl("apply", "-f", "-", input=yaml.safe_dump(cm)).stdout.strip() == "configmap/settings created"
    )
    assert (
        kubectl("apply", "-f", "-", input=yaml.safe_dump(cm)).stdout.strip() == "configmap/settings unchanged"
    )
    cm["data"] = {"b": "2"}
    assert (
        kubectl("apply", "-f", "-", input=yaml.safe_dump(cm)).stdout.strip()
        == "configmap/settings configured"
    )
    stored = json.loads(kubectl("get", "configmap", "settings", "-o", "json").stdout)
    assert stored["data"] == {"b": "2"}  # "a" removed: the three-way merge used last-applied
    assert "kubectl.kubernetes.io/last-applied-configuration" in stored["metadata"]["annotations"]


def test_apply_a_job_twice_and_server_side_dry_run(kubectl) -> None:
    manifest = yaml.safe_dump(job_manifest("applied", [PY, "-c", "pass"], suspend=True))
    assert kubectl("apply", "-f", "-", input=manifest).stdout.strip() == "job.batch/applied created"
    assert kubectl("apply", "-f", "-", input=manifest).stdout.strip() == "job.batch/applied unchanged"


def test_crd_printer_columns_and_short_name(kubectl) -> None:
    kubectl("create", "-f", "-", input=yaml.safe_dump(CRD))
    queue = {
        "apiVersion": "example.com/v1",
        "kind": "TaskQueue",
        "metadata": {"name": "gpu"},
        "spec": {"pool": "gpu", "gpus": 2},
    }
    kubectl("apply", "-f", "-", input=yaml.safe_dump(queue))
    out = kubectl("get", "tq").stdout
    assert header(out) == ["NAME", "POOL", "GPUS", "AGE"]
    assert out.splitlines()[1].split()[:3] == ["gpu", "gpu", "2"]


def test_delete_job_removes_its_pods(kubectl, local_cluster) -> None:
    kubectl("create", "-f", "-", input=yaml.safe_dump(job_manifest("gone", [PY, "-c", "pass"])))
    kubectl("wait", "--for=condition=complete", "job/gone", "--timeout=30s")
    assert kubectl("get", "pods", "-l", "job-name=gone", "-o", "name").stdout.strip()
    assert kubectl("delete", "job", "gone").stdout.startswith('job.batch "gone" deleted')
    assert kubectl("get", "pods", "-l", "job-name=gone", "-o", "name").stdout.strip() == ""


def test_server_side_apply_creates_then_updates(kubectl) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1"}}
    out = kubectl("apply", "--server-side", "-f", "-", input=yaml.safe_dump(cm)).stdout
    assert out.strip() == "configmap/ssa serverside-applied"
    cm["data"]["b"] = "2"
    kubectl("apply", "--server-side", "-f", "-", input=yaml.safe_dump(cm))
    assert json.loads(kubectl("get", "cm", "ssa", "-o", "json").stdout)["data"] == {"a": "1", "b": "2"}


def test_get_pages_through_more_than_500_objects(kubectl, local_cluster) -> None:
    store = local_cluster.store
    cms = store.resource_type("v1", "ConfigMap")

    def fill() -> None:
        for i in range(620):
            store.create(cms, {"metadata": {"name": f"many-{i:04d}"}})

    local_cluster.call(fill)
    rows = kubectl("get", "configmaps", "--no-headers", "-o", "name").stdout.split()
    assert rows[0] == "configmap/kube-root-ca.crt"  # the root CA publisher's, as on a real cluster
    assert len(rows) == 621 and rows[-1] == "configmap/many-0619"
