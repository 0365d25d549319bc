"""The default RBAC objects a new cluster has (kube-apiserver's rbac/bootstrap-roles post-start hook), read
from bootstrap.yaml, and ClusterRole aggregation (the clusterrole-aggregation controller's rule)."""

import functools
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import AlreadyExists
from ..selectors import labels_match, selector_from_match

if TYPE_CHECKING:
    from ..store import Store

RBAC = "rbac.authorization.k8s.io/v1"
_META = {
    "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
    "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
}


@functools.cache
def _policy() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(resources.files(__package__).joinpath("bootstrap.yaml").read_text())
    return data


def cluster_roles() -> list[dict[str, Any]]:
    roles = []
    for entry in _policy()["clusterroles"]:
        labels = {**_META["labels"], **(entry.get("labels") or {})}
        role: dict[str, Any] = {
            "apiVersion": RBAC,
            "kind": "ClusterRole",
            "metadata": {"name": entry["name"], "labels": labels, "annotations": dict(_META["annotations"])},
            "rules": entry.get("rules") or [],
        }
        if entry.get("aggregate"):
            role["aggregationRule"] = {
                "clusterRoleSelectors": [{"matchLabels": {entry["aggregate"]: "true"}}]
            }
        roles.append(role)
    return roles


def cluster_role_bindings() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": RBAC,
            "kind": "ClusterRoleBinding",
            "metadata": {
                "name": entry["name"],
                "labels": dict(_META["labels"]),
                "annotations": dict(_META["annotations"]),
            },
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": entry["role"],
            },
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}
                for group in entry["groups"]
            ],
        }
        for entry in _policy()["clusterrolebindings"]
    ]


def aggregated_rules(role: dict[str, Any], all_roles: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The rules an aggregated ClusterRole gets: those of every ClusterRole its selectors match, in name
    order, each once; None if the role is not aggregated."""
    selectors = ((role.get("aggregationRule") or {}).get("clusterRoleSelectors")) or []
    if not selectors:
        return None
    rules: list[dict[str, Any]] = []
    name = role["metadata"]["name"]
    for other in sorted(all_roles, key=lambda r: r["metadata"]["name"]):
        if other["metadata"]["name"] == name:
            continue
        if not any(labels_match(selector_from_match(s), other) for s in selectors if isinstance(s, dict)):
            continue
        for rule in other.get("rules") or []:
            if rule not in rules:
                rules.append(rule)
    return rules


def install(store: "Store") -> None:
    """Create the default ClusterRoles (aggregated ones with their rules filled in) and bindings."""
    roles = cluster_roles()
    for _ in range(3):  # admin aggregates edit, which aggregates view
        for role in roles:
            rules = aggregated_rules(role, roles)
            if rules is not None:
                role["rules"] = rules
    role_type = store.resource_type(RBAC, "ClusterRole")
    binding_type = store.resource_type(RBAC, "ClusterRoleBinding")
    for rt, objects in ((role_type, roles), (binding_type, cluster_role_bindings())):
        for obj in objects:
            try:
                store.create(rt, obj, copy=False, check=False)
            except AlreadyExists:
                continue
