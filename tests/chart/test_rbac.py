"""The operator's RBAC: namespaced, least privilege, exactly the rules it needs, a comment on each."""

from __future__ import annotations

import re

from .helm import CHART, FULLNAME, NAMESPACE, by_kind, one, render

EXPECTED_RULES = [
    {
        "apiGroups": ["batch"],
        "resources": ["jobs"],
        "verbs": ["create", "get", "list", "watch", "delete", "patch"],
    },
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "delete"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]},
    {"apiGroups": ["k8stasks.io"], "resources": ["taskqueues"], "verbs": ["get", "list", "watch", "patch"]},
    {"apiGroups": ["k8stasks.io"], "resources": ["taskqueues/status"], "verbs": ["get", "patch", "update"]},
]


def test_role_rules_are_exactly_the_operators_needs() -> None:
    role = one(render(), "Role")
    assert role["metadata"] == role["metadata"] | {"name": FULLNAME, "namespace": NAMESPACE}
    assert role["rules"] == EXPECTED_RULES


def test_no_cluster_wide_permission_and_no_secret_access() -> None:
    manifests = render(value_files=[CHART.parents[1] / "tests" / "chart" / "values-full.yaml"])
    assert by_kind(manifests, "ClusterRole") == []
    assert by_kind(manifests, "ClusterRoleBinding") == []
    for rule in one(manifests, "Role")["rules"]:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"]
        assert not {"secrets", "configmaps", "leases", "roles", "rolebindings"} & set(rule["resources"])


def test_role_binding_grants_the_role_to_the_operator_service_account() -> None:
    manifests = render()
    binding = one(manifests, "RoleBinding")
    account = one(manifests, "ServiceAccount")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": FULLNAME}
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": NAMESPACE}
    ]
    pod = one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is True


def test_an_existing_service_account_and_no_rbac() -> None:
    manifests = render({"serviceAccount": {"create": False, "name": "ops"}, "rbac": {"create": False}})
    assert by_kind(manifests, "ServiceAccount") == []
    assert by_kind(manifests, "Role") == [] and by_kind(manifests, "RoleBinding") == []
    assert one(manifests, "Deployment")["spec"]["template"]["spec"]["serviceAccountName"] == "ops"


def test_every_rule_in_the_template_has_a_comment() -> None:
    lines = (CHART / "templates" / "role.yaml").read_text().splitlines()
    rule_starts = [n for n, line in enumerate(lines) if re.match(r"\s*- apiGroups:", line)]
    assert len(rule_starts) == len(EXPECTED_RULES)
    for n in rule_starts:
        assert lines[n - 1].strip().startswith("#"), f"rule at line {n + 1} has no comment"
