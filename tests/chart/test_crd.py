"""The TaskQueue CRD: the chart ships the operator's file unchanged in crds/, so that Helm installs it
before the templates that create TaskQueues, and never deletes it (uninstalling keeps every TaskQueue)."""

from __future__ import annotations

import yaml

from .helm import CHART, ROOT, by_kind, one, render

CHART_COPY = CHART / "crds" / "taskqueue-crd.yaml"
OPERATOR_CRD = ROOT / "operator" / "k8s_tasks_operator" / "crd.yaml"


def test_chart_copy_is_identical_to_the_operators_crd() -> None:
    assert CHART_COPY.read_bytes() == OPERATOR_CRD.read_bytes(), (
        f"copy it: cp {OPERATOR_CRD.relative_to(ROOT)} {CHART_COPY.relative_to(ROOT)}"
    )


def test_the_crd_is_the_only_file_in_crds_and_is_not_a_template() -> None:
    assert sorted(p.name for p in (CHART / "crds").iterdir()) == ["taskqueue-crd.yaml"]
    assert "{{" not in CHART_COPY.read_text()  # Helm does not template crds/
    assert by_kind(render(crds=False), "CustomResourceDefinition") == []  # = helm install --skip-crds


def test_install_creates_the_crd_first_then_the_taskqueues() -> None:
    manifests = render()
    kinds = [m["kind"] for m in manifests]
    assert kinds[0] == "CustomResourceDefinition"
    assert one(manifests, "CustomResourceDefinition") == yaml.safe_load(CHART_COPY.read_text())
    assert "TaskQueue" in kinds


def test_crd_names_and_scope_match_the_taskqueues_the_chart_creates() -> None:
    manifests = render()
    spec = one(manifests, "CustomResourceDefinition")["spec"]
    assert spec["group"] == "k8stasks.io"
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["kind"] == "TaskQueue" and spec["names"]["plural"] == "taskqueues"
    (version,) = spec["versions"]
    assert version["served"] and version["storage"] and version["subresources"]["status"] == {}
    for queue in by_kind(manifests, "TaskQueue"):
        assert queue["apiVersion"] == f"{spec['group']}/{version['name']}"
