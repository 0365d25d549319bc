"""Simulated nodes: the NODES.yaml format and the Node objects the cluster serves."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from .quantity import parse_quantity

_DEFAULT_ALLOCATABLE = {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi"}
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
KUBELET_VERSION = "v1.37.0"
_NODE_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[dict[str, str], ...] = ()
    allocatable: dict[str, str] = field(default_factory=lambda: dict(_DEFAULT_ALLOCATABLE))


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"{where}: {message}")


def node_spec_from_dict(data: Any, where: str = "node") -> NodeSpec:
    """One entry of ``nodes:``; raises ValueError naming the field, the value and the fix."""
    if not isinstance(data, dict):
        raise _fail(where, f"expected a mapping with name, labels, taints, allocatable; got {data!r}")
    unknown = set(data) - {"name", "labels", "taints", "allocatable"}
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}; allowed: name, labels, taints, allocatable")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise _fail(f"{where}.name", f"must be a non-empty string, got {name!r}")
    labels = data.get("labels") or {}
    if not isinstance(labels, dict):
        raise _fail(f"{where}.labels", f"must be a mapping of strings, got {labels!r}")
    taints = []
    for i, taint in enumerate(data.get("taints") or []):
        tw = f"{where}.taints[{i}]"
        if not isinstance(taint, dict) or not taint.get("key"):
            raise _fail(tw, f"must be a mapping with key, value, effect; got {taint!r}")
        effect = taint.get("effect", "NoSchedule")
        if effect not in _TAINT_EFFECTS:
            raise _fail(f"{tw}.effect", f"{effect!r} is not one of {', '.join(_TAINT_EFFECTS)}")
        clean = {"key": str(taint["key"]), "effect": effect}
        if taint.get("value") is not None:
            clean["value"] = str(taint["value"])
        taints.append(clean)
    allocatable = dict(_DEFAULT_ALLOCATABLE)
    given = data.get("allocatable") or {}
    if not isinstance(given, dict):
        raise _fail(f"{where}.allocatable", f"must be a mapping of resource quantities, got {given!r}")
    for resource, quantity in given.items():
        try:
            parse_quantity(quantity)
        except ValueError as exc:
            raise _fail(f"{where}.allocatable.{resource}", str(exc)) from None
        allocatable[str(resource)] = str(quantity)
    return NodeSpec(
        name=name,
        labels={str(k): str(v) for k, v in labels.items()},
        taints=tuple(taints),
        allocatable=allocatable,
    )


def load_nodes(path: Path) -> list[NodeSpec]:
    """Parse a NODES.yaml file (``nodes: [{name, labels, taints, allocatable}]``)."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise ValueError(f"{path}: expected a top-level 'nodes:' list, e.g. nodes: [{{name: node-1}}]")
    specs = [node_spec_from_dict(item, f"{path}: nodes[{i}]") for i, item in enumerate(data["nodes"])]
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate node name(s) {duplicates}; every node needs its own name")
    return specs


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_manifest(spec: NodeSpec, index: int) -> dict[str, Any]:
    """The Node object of a simulated node, as a kubelet would register it (Ready)."""
    now = _now()
    labels = {
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        **spec.labels,
    }

    def condition(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
        return {
            "type": kind,
            "status": status,
            "reason": reason,
            "message": message,
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }

    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": spec.name, "labels": labels},
        "spec": {"podCIDR": f"10.244.{index}.0/24", "taints": [dict(t) for t in spec.taints]},
        "status": {
            "capacity": dict(spec.allocatable),
            "allocatable": dict(spec.allocatable),
            "conditions": [
                condition(kind, status, reason, message) for kind, status, reason, message in _NODE_CONDITIONS
            ],
            "addresses": [
                {"type": "InternalIP", "address": f"172.18.0.{index + 2}"},
                {"type": "Hostname", "address": spec.name},
            ],
            "nodeInfo": {
                "kubeletVersion": KUBELET_VERSION,
                "kubeProxyVersion": KUBELET_VERSION,
                "containerRuntimeVersion": "k8s-tasks-sim://1.0",
                "operatingSystem": "linux",
                "architecture": "amd64",
                "osImage": "k8s-tasks local cluster",
                "kernelVersion": "simulated",
                "machineID": spec.name,
                "systemUUID": spec.name,
                "bootID": spec.name,
            },
        },
    }
