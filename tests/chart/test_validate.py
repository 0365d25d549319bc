"""Every rendered object is valid: Kubernetes 1.37 schemas (strict) and, for TaskQueues, the CRD schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from .helm import CHART, ROOT, Manifest, by_kind, one, render

FULL = Path(__file__).with_name("values-full.yaml")
KIND = ROOT / "scripts" / "kind" / "values-kind.yaml"
# Kinds that are not part of Kubernetes itself: checked by their own tests.
NOT_BUILTIN = {"TaskQueue", "ServiceMonitor"}

RENDERS: dict[str, tuple[dict[str, Any], tuple[Path, ...]]] = {
    "defaults": ({}, ()),
    "full": ({}, (FULL,)),
    "kind": ({}, (KIND,)),
    "no-rbac": ({"rbac": {"create": False}}, ()),
}


def rendered(case: str) -> list[Manifest]:
    values, files = RENDERS[case]
    return render(values, value_files=files)


def k8s_errors(manifest: Manifest) -> str | None:
    try:
        kubernetes_validate.validate(manifest, "1.37.0", strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{manifest['kind']}/{manifest['metadata']['name']}: {error.message} at {list(error.path)}"
    return None


def crd_schema(manifests: list[Manifest] | None = None) -> dict[str, Any]:
    crd = one(manifests or rendered("defaults"), "CustomResourceDefinition", "taskqueues.k8stasks.io")
    (version,) = crd["spec"]["versions"]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


@pytest.mark.parametrize("case", sorted(RENDERS))
def test_every_builtin_object_is_valid_kubernetes_1_37(case: str) -> None:
    manifests = rendered(case)
    assert manifests
    errors = [k8s_errors(m) for m in manifests if m["kind"] not in NOT_BUILTIN]
    assert [e for e in errors if e] == []


def test_the_validator_does_catch_a_wrong_object() -> None:
    deployment = one(rendered("defaults"), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["limitz"] = {}
    assert k8s_errors(deployment) is not None


@pytest.mark.parametrize("case", ["defaults", "full", "kind"])
def test_every_taskqueue_is_valid_against_the_crd_schema(case: str) -> None:
    manifests = rendered(case)
    queues = by_kind(manifests, "TaskQueue")
    assert queues
    schema = crd_schema()
    for queue in queues:
        jsonschema.validate(queue, schema)
        assert queue["apiVersion"] == "k8stasks.io/v1alpha1"


def test_the_crd_schema_refuses_a_wrong_taskqueue() -> None:
    queue = one(rendered("defaults"), "TaskQueue", "default")
    queue["spec"]["concurrency"] = "lots"
    with pytest.raises(jsonschema.ValidationError, match="'lots' is not of type 'integer'"):
        jsonschema.validate(queue, crd_schema())


def test_the_service_monitor_is_well_formed() -> None:
    manifests = rendered("full")
    monitor = one(manifests, "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    service = one(manifests, "Service")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    pod_labels = one(manifests, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()


def test_every_object_is_namespaced_in_the_release_namespace_except_the_crd() -> None:
    for manifest in rendered("full"):
        if manifest["kind"] == "CustomResourceDefinition":
            assert "namespace" not in manifest["metadata"]
        else:
            assert manifest["metadata"]["namespace"] == "tasks", manifest["metadata"]["name"]


def test_chart_lint_is_strictly_clean() -> None:
    from .helm import helm

    for files in ([], [FULL], [KIND]):
        args = ["lint", "--strict", str(CHART), "--kube-version", "1.37.0"]
        for path in files:
            args += ["--values", str(path)]
        done = helm(*args)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "0 chart(s) failed" in done.stdout
        assert "[WARNING]" not in done.stdout and "[ERROR]" not in done.stdout
