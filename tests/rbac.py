"""The operator in the end-to-end tests runs as it does in a cluster: as its ServiceAccount, under the
chart's own Role (rendered by the real helm), so a permission the chart lacks fails the tests with the API
server's 403. Every request it makes is in the local cluster's audit log; `calls` and `allowed` compare
them with the Role."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from kubernetes import client, config

from k8s_tasks.testing.cluster import LocalCluster

SERVICE_ACCOUNT = "k8s-tasks"
SA_NAMESPACE = "default"
USER = f"system:serviceaccount:{SA_NAMESPACE}:{SERVICE_ACCOUNT}"

Rule = dict[str, Any]
Call = tuple[str, str, str]  # (API group, resource or resource/subresource, verb)


@functools.cache
def chart_role_rules() -> tuple[Rule, ...]:
    """The rules of the Role the chart installs for the operator (default values)."""
    from tests.chart.helm import render

    roles = [m for m in render(namespace=SA_NAMESPACE, crds=False) if m["kind"] == "Role"]
    assert len(roles) == 1, [r["metadata"]["name"] for r in roles]
    return tuple(roles[0]["rules"])


def grant(cluster: LocalCluster, namespace: str, rules: tuple[Rule, ...] | None = None) -> None:
    """The operator's ServiceAccount (in `default`) gets the chart's Role (or `rules`) in `namespace`."""
    api = config.new_client_from_config(str(cluster.kubeconfig_path))
    try:
        core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
        if not core.list_namespaced_service_account(
            SA_NAMESPACE, field_selector=f"metadata.name={SERVICE_ACCOUNT}"
        ).items:
            core.create_namespaced_service_account(SA_NAMESPACE, {"metadata": {"name": SERVICE_ACCOUNT}})
        name = "k8s-tasks-operator"
        role = {"metadata": {"name": name}, "rules": list(rules if rules is not None else chart_role_rules())}
        rbac.create_namespaced_role(namespace, role)
        binding = {
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": SA_NAMESPACE}],
        }
        rbac.create_namespaced_role_binding(namespace, binding)
    finally:
        api.close()


def operator_kubeconfig(cluster: LocalCluster, path: Path, rules: tuple[Rule, ...] | None = None) -> Path:
    grant(cluster, SA_NAMESPACE, rules)
    return cluster.kubeconfig_for(SA_NAMESPACE, SERVICE_ACCOUNT, path)


def calls(cluster: LocalCluster) -> set[Call]:
    """The resource requests the operator made (discovery's non-resource GETs left out)."""
    found: set[Call] = set()
    for entry in cluster.audit.of_user(USER):
        if entry.resource_request and entry.resource:
            resource = f"{entry.resource}/{entry.subresource}" if entry.subresource else entry.resource
            found.add((entry.api_group, resource, entry.verb))
    return found


def allowed(rules: tuple[Rule, ...], call: Call) -> bool:
    group, resource, verb = call
    return any(
        group in rule.get("apiGroups", ())
        and resource in rule.get("resources", ())
        and (verb in rule.get("verbs", ()) or "*" in rule.get("verbs", ()))
        for rule in rules
    )


def granted(rules: tuple[Rule, ...]) -> set[Call]:
    return {
        (group, resource, verb)
        for rule in rules
        for group in rule.get("apiGroups", ())
        for resource in rule.get("resources", ())
        for verb in rule.get("verbs", ())
    }


def not_allowed(cluster: LocalCluster) -> list[Call]:
    return sorted(c for c in calls(cluster) if not allowed(chart_role_rules(), c))
