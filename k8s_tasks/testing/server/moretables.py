"""``as=Table`` columns of Deployments, ReplicaSets, Services, ServiceAccounts, RBAC objects and
NetworkPolicies, as kube-apiserver's printers (pkg/printers/internalversion) write them."""

from collections.abc import Callable
from typing import Any

from ..sim.rollout import selector_string
from .humanize import age

Row = list[Any]
Column = tuple[str, str, int]
Printer = tuple[list[Column], Callable[[dict[str, Any]], Row]]
_S, _I = "string", "integer"
_NAME: Column = ("Name", _S, 0)
_AGE: Column = ("Age", _S, 0)


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _selector(selector: dict[str, Any] | None) -> str:
    return selector_string(selector) or "<none>"


def _pod_template(obj: dict[str, Any]) -> tuple[str, str]:
    containers = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def _deployment(obj: dict[str, Any]) -> Row:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _pod_template(obj)
    return [
        _meta(obj)["name"],
        f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}",
        int(status.get("updatedReplicas") or 0),
        int(status.get("availableReplicas") or 0),
        age(_meta(obj).get("creationTimestamp")),
        names,
        images,
        _selector(spec.get("selector")),
    ]


def _replica_set(obj: dict[str, Any]) -> Row:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _pod_template(obj)
    return [
        _meta(obj)["name"],
        int(spec.get("replicas", 1)),
        int(status.get("replicas") or 0),
        int(status.get("readyReplicas") or 0),
        age(_meta(obj).get("creationTimestamp")),
        names,
        images,
        _selector(spec.get("selector")),
    ]


def _ports(spec: dict[str, Any]) -> str:
    shown = []
    for port in spec.get("ports") or []:
        node = f":{port['nodePort']}" if port.get("nodePort") else ""
        shown.append(f"{port.get('port')}{node}/{port.get('protocol', 'TCP')}")
    return ",".join(shown) or "<none>"


def _service(obj: dict[str, Any]) -> Row:
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    external = spec.get("externalName") if kind == "ExternalName" else None
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    addresses = [*(spec.get("externalIPs") or []), *(i.get("ip") or i.get("hostname", "") for i in ingress)]
    if external is None:
        external = ",".join(addresses) or ("<pending>" if kind == "LoadBalancer" else "<none>")
    selector = spec.get("selector") or {}
    return [
        _meta(obj)["name"],
        kind,
        spec.get("clusterIP") or "<none>",
        external,
        _ports(spec),
        age(_meta(obj).get("creationTimestamp")),
        ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
    ]


def _binding(obj: dict[str, Any]) -> Row:
    role = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def names(kind: str) -> str:
        found = [
            f"{s.get('namespace')}/{s.get('name')}" if kind == "ServiceAccount" else s.get("name", "")
            for s in subjects
            if s.get("kind") == kind
        ]
        return ", ".join(found)

    return [
        _meta(obj)["name"],
        f"{role.get('kind', '')}/{role.get('name', '')}",
        age(_meta(obj).get("creationTimestamp")),
        names("User"),
        names("Group"),
        names("ServiceAccount"),
    ]


def _created_at(obj: dict[str, Any]) -> Row:
    return [_meta(obj)["name"], _meta(obj).get("creationTimestamp") or ""]


_BINDING: Printer = (
    [_NAME, ("Role", _S, 0), _AGE, ("Users", _S, 1), ("Groups", _S, 1), ("ServiceAccounts", _S, 1)],
    _binding,
)
_ROLE: Printer = ([_NAME, ("Created At", _S, 0)], _created_at)
_WORKLOAD_EXTRA: list[Column] = [("Containers", _S, 1), ("Images", _S, 1), ("Selector", _S, 1)]
PRINTERS: dict[tuple[str, str], Printer] = {
    ("apps", "deployments"): (
        [_NAME, ("Ready", _S, 0), ("Up-to-date", _I, 0), ("Available", _I, 0), _AGE, *_WORKLOAD_EXTRA],
        _deployment,
    ),
    ("apps", "replicasets"): (
        [_NAME, ("Desired", _I, 0), ("Current", _I, 0), ("Ready", _I, 0), _AGE, *_WORKLOAD_EXTRA],
        _replica_set,
    ),
    ("", "services"): (
        [
            _NAME,
            ("Type", _S, 0),
            ("Cluster-IP", _S, 0),
            ("External-IP", _S, 0),
            ("Port(s)", _S, 0),
            _AGE,
            ("Selector", _S, 1),
        ],
        _service,
    ),
    ("", "serviceaccounts"): (
        [_NAME, ("Secrets", _I, 0), _AGE],
        lambda o: [_meta(o)["name"], len(o.get("secrets") or []), age(_meta(o).get("creationTimestamp"))],
    ),
    ("rbac.authorization.k8s.io", "roles"): _ROLE,
    ("rbac.authorization.k8s.io", "clusterroles"): _ROLE,
    ("rbac.authorization.k8s.io", "rolebindings"): _BINDING,
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _BINDING,
    ("networking.k8s.io", "networkpolicies"): (
        [_NAME, ("Pod-Selector", _S, 0), _AGE],
        lambda o: [
            _meta(o)["name"],
            _selector((o.get("spec") or {}).get("podSelector")),
            age(_meta(o).get("creationTimestamp")),
        ],
    ),
}
