"""The TaskQueue CRD: the chart ships the operator's file unchanged, with a keep policy by default."""

from __future__ import annotations

import pytest
import yaml

from .helm import CHART, ROOT, by_kind, one, render

CHART_COPY = CHART / "files" / "taskqueue-crd.yaml"
OPERATOR_CRD = ROOT / "operator" / "k8s_tasks_operator" / "crd.yaml"


def test_chart_copy_is_identical_to_the_operators_crd() -> None:
    if not OPERATOR_CRD.exists():
        pytest.skip(f"{OPERATOR_CRD.relative_to(ROOT)} has not landed yet; the chart ships a draft")
    assert CHART_COPY.read_bytes() == OPERATOR_CRD.read_bytes(), (
        f"copy it: cp {OPERATOR_CRD.relative_to(ROOT)} {CHART_COPY.relative_to(ROOT)}"
    )


def test_rendered_crd_is_the_file_plus_labels_and_keep_policy() -> None:
    crd = one(render(), "CustomResourceDefinition")
    source = yaml.safe_load(CHART_COPY.read_text())
    assert crd["spec"] == source["spec"]
    assert crd["metadata"]["name"] == source["metadata"]["name"] == "taskqueues.k8stasks.io"
    assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert crd["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    for key, value in (source["metadata"].get("labels") or {}).items():
        assert crd["metadata"]["labels"][key] == value


def test_crd_names_and_scope() -> None:
    spec = one(render(), "CustomResourceDefinition")["spec"]
    assert spec["group"] == "k8stasks.io"
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["kind"] == "TaskQueue" and spec["names"]["plural"] == "taskqueues"
    assert [v["name"] for v in spec["versions"]] == ["v1alpha1"]
    assert spec["versions"][0]["subresources"]["status"] == {}


def test_keep_policy_and_crd_install_can_be_turned_off() -> None:
    crd = one(render({"crds": {"keep": False}}), "CustomResourceDefinition")
    assert "helm.sh/resource-policy" not in (crd["metadata"].get("annotations") or {})
    assert by_kind(render({"crds": {"enabled": False}}), "CustomResourceDefinition") == []
