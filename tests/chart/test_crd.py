"""The TaskQueue and TaskSchedule CRDs: the chart ships the operator's files unchanged in crds/, so that
Helm installs them before the templates that create TaskQueues and TaskSchedules, and never deletes them
(uninstalling keeps every TaskQueue and TaskSchedule)."""

from __future__ import annotations

import yaml

from .helm import CHART, ROOT, by_kind, one, render

CHART_COPY = CHART / "crds" / "taskqueue-crd.yaml"
OPERATOR_CRD = ROOT / "operator" / "k8s_tasks_operator" / "crd.yaml"
SCHEDULE_COPY = CHART / "crds" / "taskschedule-crd.yaml"
OPERATOR_SCHEDULE_CRD = ROOT / "operator" / "k8s_tasks_operator" / "taskschedule-crd.yaml"


def test_chart_copies_are_identical_to_the_operators_crds() -> None:
    for copy, source in ((CHART_COPY, OPERATOR_CRD), (SCHEDULE_COPY, OPERATOR_SCHEDULE_CRD)):
        assert copy.read_bytes() == source.read_bytes(), (
            f"copy it: cp {source.relative_to(ROOT)} {copy.relative_to(ROOT)}"
        )


def test_the_crds_are_the_only_files_in_crds_and_are_not_templates() -> None:
    assert sorted(p.name for p in (CHART / "crds").iterdir()) == [
        "taskqueue-crd.yaml",
        "taskschedule-crd.yaml",
    ]
    assert "{{" not in CHART_COPY.read_text() + SCHEDULE_COPY.read_text()  # Helm does not template crds/
    assert by_kind(render(crds=False), "CustomResourceDefinition") == []  # = helm install --skip-crds


def test_install_creates_the_crds_first_then_the_taskqueues() -> None:
    manifests = render()
    kinds = [m["kind"] for m in manifests]
    assert kinds[:2] == ["CustomResourceDefinition", "CustomResourceDefinition"]
    crds = {m["spec"]["names"]["kind"]: m for m in by_kind(manifests, "CustomResourceDefinition")}
    assert crds == {
        "TaskQueue": yaml.safe_load(CHART_COPY.read_text()),
        "TaskSchedule": yaml.safe_load(SCHEDULE_COPY.read_text()),
    }
    assert "TaskQueue" in kinds


def test_crd_names_and_scope_match_the_taskqueues_the_chart_creates() -> None:
    manifests = render()
    spec = one(manifests, "CustomResourceDefinition", "taskqueues.k8stasks.io")["spec"]
    assert spec["group"] == "k8stasks.io"
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["kind"] == "TaskQueue" and spec["names"]["plural"] == "taskqueues"
    (version,) = spec["versions"]
    assert version["served"] and version["storage"] and version["subresources"]["status"] == {}
    for queue in by_kind(manifests, "TaskQueue"):
        assert queue["apiVersion"] == f"{spec['group']}/{version['name']}"
