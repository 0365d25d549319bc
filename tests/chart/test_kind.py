"""The real-cluster path that cannot run here: kind-config.yaml's structure (against kind's v1alpha4
config types), up.sh's syntax and references, and its manifests and values (rendered and validated)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from .helm import ROOT, by_kind, env_map, one, operator_container, render

KIND_CONFIG = ROOT / "kind-config.yaml"
KIND_DIR = ROOT / "scripts" / "kind"
VALUES = KIND_DIR / "values-kind.yaml"

# kind's sigs.k8s.io/kind/pkg/apis/config/v1alpha4 Cluster and Node types, as a JSON schema (unknown
# fields are errors there too: kind decodes the config strictly).
_STR_LIST = {"type": "array", "items": {"type": "string"}}
KIND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "apiVersion", "nodes"],
    "properties": {
        "kind": {"const": "Cluster"},
        "apiVersion": {"const": "kind.x-k8s.io/v1alpha4"},
        "name": {"type": "string"},
        "networking": {"type": "object"},
        "featureGates": {"type": "object"},
        "runtimeConfig": {"type": "object"},
        "kubeadmConfigPatches": _STR_LIST,
        "kubeadmConfigPatchesJSON6902": {"type": "array"},
        "containerdConfigPatches": _STR_LIST,
        "containerdConfigPatchesJSON6902": _STR_LIST,
        "nodes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "role": {"enum": ["control-plane", "worker"]},
                    "image": {"type": "string"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "extraMounts": {"type": "array"},
                    "extraPortMappings": {"type": "array"},
                    "kubeadmConfigPatches": _STR_LIST,
                    "kubeadmConfigPatchesJSON6902": {"type": "array"},
                },
            },
        },
    },
}


def kind_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(KIND_CONFIG.read_text())
    return config


def node_taints(node: dict[str, Any]) -> list[dict[str, Any]]:
    taints: list[dict[str, Any]] = []
    for patch in node.get("kubeadmConfigPatches", []):
        doc = yaml.safe_load(patch)
        assert doc["kind"] == "JoinConfiguration", "workers join: their taints go in a JoinConfiguration"
        taints += doc["nodeRegistration"]["taints"]
    return taints


def test_kind_config_matches_kinds_config_types() -> None:
    jsonschema.validate(kind_config(), KIND_SCHEMA)


def test_a_control_plane_and_one_worker_per_pool() -> None:
    nodes = kind_config()["nodes"]
    assert [n["role"] for n in nodes] == ["control-plane", "worker", "worker", "worker"]
    assert [n.get("labels", {}).get("pool") for n in nodes[1:]] == ["general", "highmem", "gpu"]


def test_only_the_gpu_worker_is_tainted() -> None:
    by_pool = {n.get("labels", {}).get("pool"): n for n in kind_config()["nodes"]}
    assert node_taints(by_pool["gpu"]) == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    ]
    assert node_taints(by_pool["general"]) == [] and node_taints(by_pool["highmem"]) == []


def test_up_script_is_valid_bash_and_uses_the_files_that_exist() -> None:
    for script in ("up.sh", "down.sh"):
        done = subprocess.run(
            ["bash", "-n", str(KIND_DIR / script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    text = (KIND_DIR / "up.sh").read_text()
    for path in ("kind-config.yaml", "examples/demo/Dockerfile", "helm/k8s-tasks", "helm/k8s-tasks/crds/"):
        assert path in text
        assert (ROOT / path).exists(), f"up.sh needs {path}"
    for name in ("manifests/gpu-capacity-patch.json", "manifests/postgres.yaml", "values-kind.yaml"):
        assert name in text and (KIND_DIR / name).exists()
    assert "--subresource=status" in text


def test_gpu_patch_adds_one_gpu_to_the_node_status_capacity() -> None:
    patch = json.loads((KIND_DIR / "manifests" / "gpu-capacity-patch.json").read_text())
    assert patch == [{"op": "add", "path": "/status/capacity/nvidia.com~1gpu", "value": "1"}]


@pytest.mark.parametrize(
    "manifest", list(yaml.safe_load_all((KIND_DIR / "manifests" / "postgres.yaml").read_text()))
)
def test_script_manifests_are_valid_kubernetes_1_37(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, "1.37.0", strict=True)


def test_kind_values_pool_queues_land_on_kind_pools_and_tolerate_the_gpu_taint() -> None:
    pools = {n.get("labels", {}).get("pool") for n in kind_config()["nodes"]}
    queues = {q["metadata"]["name"]: q["spec"] for q in by_kind(render(value_files=[VALUES]), "TaskQueue")}
    for name, spec in queues.items():
        assert spec["nodeSelector"]["pool"] in pools, name
    gpu = queues["gpu"]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in gpu["tolerations"]
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == 1
    for name, spec in queues.items():  # an isolated queue runs sealed: no database, no Secret
        expected = None if spec.get("network") == "isolated" else [{"secretRef": {"name": "k8s-tasks-db"}}]
        assert spec.get("envFrom") == expected, name


def test_kind_values_match_the_demo_projects_queues() -> None:
    """The kind path and the local demo (examples/demo/queues.yaml) use the same queue profiles."""
    demo = ROOT / "examples" / "demo" / "queues.yaml"
    if not demo.exists():
        pytest.skip("examples/demo/queues.yaml has not landed")
    expected = {
        d["metadata"]["name"]: comparable({"queueName": d["metadata"]["name"], **d["spec"]})
        for d in yaml.safe_load_all(demo.read_text())
        if d
    }
    rendered = {
        q["metadata"]["name"]: comparable({k: v for k, v in q["spec"].items() if k != "envFrom"})
        for q in by_kind(render(value_files=[VALUES]), "TaskQueue")
    }
    assert rendered == expected


def comparable(spec: dict[str, Any]) -> dict[str, Any]:
    """A spec with its resource quantities as strings (1 and "1" are the same quantity)."""
    resources = {
        kind: {name: str(quantity) for name, quantity in amounts.items()}
        for kind, amounts in (spec.get("resources") or {}).items()
    }
    return {**spec, "resources": resources} if resources else spec


def test_kind_install_runs_the_demo_image_with_postgres_and_migrations() -> None:
    manifests = render(value_files=[VALUES])
    container = operator_container(manifests)
    assert container["image"] == "k8s-tasks-demo:dev"
    assert env_map(container)["DJANGO_SETTINGS_MODULE"] == "demo_project.settings"
    assert one(manifests, "Job")["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    # The sandbox queue is isolated by the operator's own NetworkPolicy: the chart renders none.
    assert by_kind(manifests, "NetworkPolicy") == []
