"""RBAC as kube-apiserver authorizes: Roles, ClusterRoles and their bindings, rule matching (wildcards,
subresources, resourceNames, nonResourceURLs), the 403 bodies word for word, `kubectl auth can-i` (and
--list, --as), the default ClusterRoles (view, edit, admin aggregated; discovery for everyone), and the admin
kubeconfig unrestricted."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from k8s_tasks.testing.cluster import LocalCluster
from tests.cluster.conftest import job_manifest
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster(runtime="fake")
SA = "system:serviceaccount:tasks:k8s-tasks"


@pytest.fixture
def tasks(local_cluster: LocalCluster, kubectl, tmp_path: Path):
    """The namespace tasks with the ServiceAccount k8s-tasks; returns kubectl as that account."""
    kubectl("create", "namespace", "tasks")
    kubectl("-n", "tasks", "create", "serviceaccount", "k8s-tasks")
    token = local_cluster.token_for("tasks", "k8s-tasks")

    def as_account(*args: str, check: bool = False, input: str | None = None):
        return kubectl("--token", token, "-n", "tasks", *args, check=check, input=input)

    return as_account


def apply(kubectl, *objects: dict) -> None:
    kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))


def role(name: str, rules: list[dict], namespace: str | None = "tasks") -> dict:
    kind = "Role" if namespace else "ClusterRole"
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta, "rules": rules}


def binding(name: str, role_kind: str, role_name: str, subjects: list[dict], namespace: str | None = "tasks"):
    kind = "RoleBinding" if namespace else "ClusterRoleBinding"
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name}
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": meta,
        "roleRef": ref,
        "subjects": subjects,
    }


ACCOUNT = [{"kind": "ServiceAccount", "name": "k8s-tasks", "namespace": "tasks"}]

FORBIDDEN = [
    (
        ["create", "job", "x", "--image=busybox"],
        'error: failed to create job: jobs.batch is forbidden: User "system:serviceaccount:tasks:k8s-tasks" '
        'cannot create resource "jobs" in API group "batch" in the namespace "tasks"',
    ),
    (
        ["get", "secret", "db"],
        'Error from server (Forbidden): secrets "db" is forbidden: User '
        '"system:serviceaccount:tasks:k8s-tasks" '
        'cannot get resource "secrets" in API group "" in the namespace "tasks"',
    ),
    (
        ["get", "nodes"],
        'Error from server (Forbidden): nodes is forbidden: User "system:serviceaccount:tasks:k8s-tasks" '
        'cannot list resource "nodes" in API group "" at the cluster scope',
    ),
    (
        ["get", "--raw", "/metrics"],
        'Error from server (Forbidden): forbidden: User "system:serviceaccount:tasks:k8s-tasks" cannot get '
        "path "
        '"/metrics"',
    ),
    (
        ["delete", "deployment", "web"],
        'Error from server (Forbidden): deployments.apps "web" is forbidden: User '
        '"system:serviceaccount:tasks:k8s-tasks" cannot delete resource "deployments" in API group "apps" '
        'in the namespace "tasks"',
    ),
]


@pytest.mark.parametrize(("args", "message"), FORBIDDEN, ids=[" ".join(a[:2]) for a, _ in FORBIDDEN])
def test_forbidden_messages_are_upstreams(tasks, args, message) -> None:
    done = tasks(*args)
    assert done.returncode == 1
    assert done.stderr.strip() == message


def test_the_403_body(local_cluster: LocalCluster, tasks, tmp_path: Path) -> None:
    api = config.new_client_from_config(
        str(local_cluster.kubeconfig_for("tasks", "k8s-tasks", tmp_path / "kc"))
    )
    with pytest.raises(ApiException) as caught:
        client.BatchV1Api(api).create_namespaced_job("tasks", job_manifest("x", ["true"]))
    assert caught.value.status == 403
    assert json.loads(caught.value.body) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'jobs.batch is forbidden: User "{SA}" cannot create resource "jobs" in API group '
        '"batch" in the namespace "tasks"',
        "reason": "Forbidden",
        "details": {"group": "batch", "kind": "jobs"},
        "code": 403,
    }
    with pytest.raises(ApiException) as caught:
        client.CoreV1Api(api).read_namespaced_pod_log("p", "tasks")
    assert json.loads(caught.value.body)["message"] == (
        f'pods "p" is forbidden: User "{SA}" cannot get resource "pods/log" in API group "" in the namespace '
        '"tasks"'
    )


def test_roles_and_rules(kubectl, tasks) -> None:
    apply(
        kubectl,
        role("jobs", [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create", "get", "list"]}]),
        role(
            "one-secret",
            [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["get"]}],
        ),
        role("statuses", [{"apiGroups": ["*"], "resources": ["*/status"], "verbs": ["*"]}]),
        binding("jobs", "Role", "jobs", ACCOUNT),
        binding("one-secret", "Role", "one-secret", ACCOUNT),
        binding("statuses", "Role", "statuses", ACCOUNT),
    )
    can = {
        ("create", "jobs.batch"): "yes",
        ("delete", "jobs.batch"): "no",
        ("get", "secrets/db"): "yes",
        ("get", "secrets/other"): "no",
        ("list", "secrets"): "no",
        ("patch", "jobs.batch/x", "--subresource=status"): "yes",
        ("update", "deployments.apps/web", "--subresource=status"): "yes",
        ("update", "deployments.apps/web"): "no",
    }
    for args, expected in can.items():
        done = tasks("auth", "can-i", *args)
        assert (done.stdout.strip(), done.returncode) == (expected, 0 if expected == "yes" else 1), args
    assert tasks("create", "job", "x", "--image=busybox").returncode == 0
    # a Role binds only in its namespace
    assert tasks("auth", "can-i", "create", "jobs", "-n", "default").stdout.strip() == "no"


def test_cluster_roles_bound_in_a_namespace_or_cluster_wide(kubectl, tasks) -> None:
    apply(kubectl, binding("view", "ClusterRole", "view", ACCOUNT))
    assert tasks("auth", "can-i", "list", "pods").stdout.strip() == "yes"
    assert tasks("auth", "can-i", "list", "secrets").stdout.strip() == "no"  # view excludes secrets
    assert tasks("auth", "can-i", "create", "jobs").stdout.strip() == "no"
    assert tasks("auth", "can-i", "list", "pods", "-n", "default").stdout.strip() == "no"
    group = [
        {"kind": "Group", "name": "system:serviceaccounts:tasks", "apiGroup": "rbac.authorization.k8s.io"}
    ]
    apply(kubectl, binding("edit-everywhere", "ClusterRole", "edit", group, namespace=None))
    assert tasks("auth", "can-i", "create", "jobs", "-n", "default").stdout.strip() == "yes"
    assert tasks("auth", "can-i", "create", "rolebindings").stdout.strip() == "no"  # admin's, not edit's
    user = [{"kind": "User", "name": SA, "apiGroup": "rbac.authorization.k8s.io"}]
    apply(kubectl, binding("admin", "ClusterRole", "admin", user))
    assert tasks("auth", "can-i", "create", "rolebindings").stdout.strip() == "yes"
    apply(kubectl, role("metrics", [{"nonResourceURLs": ["/metrics*"], "verbs": ["get"]}], namespace=None))
    apply(kubectl, binding("metrics", "ClusterRole", "metrics", ACCOUNT, namespace=None))
    assert tasks("auth", "can-i", "get", "/metrics/slis").stdout.strip() == "yes"
    assert tasks("auth", "can-i", "get", "/logs").stdout.strip() == "no"


def test_a_binding_to_a_missing_role_is_named_in_the_denial(kubectl, tasks) -> None:
    apply(
        kubectl, binding("broken", "ClusterRole", "nope", ACCOUNT), binding("gone", "Role", "gone", ACCOUNT)
    )
    done = tasks("delete", "job", "x")
    assert done.stderr.strip() == (
        f'Error from server (Forbidden): jobs.batch "x" is forbidden: User "{SA}" cannot delete resource '
        '"jobs" in API group "batch" in the namespace "tasks": RBAC: [clusterrole.rbac.authorization.k8s.io '
        '"nope" not found, role.rbac.authorization.k8s.io "gone" not found]'
    )


def test_aggregation_adds_labelled_rules_to_view(kubectl, tasks) -> None:
    apply(kubectl, binding("view", "ClusterRole", "view", ACCOUNT))
    assert tasks("auth", "can-i", "list", "secrets").stdout.strip() == "no"
    extra = role(
        "taskqueue-viewer",
        [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}],
        None,
    )
    extra["metadata"]["labels"] = {"rbac.authorization.k8s.io/aggregate-to-view": "true"}
    apply(kubectl, extra)
    wait_until(
        lambda: tasks("auth", "can-i", "list", "secrets").stdout.strip() == "yes",
        timeout=10,
        what="view to aggregate the new rule",
    )
    # edit and admin aggregate view, so they get it too
    admin = json.loads(kubectl("get", "clusterrole", "admin", "-o", "json").stdout)
    assert {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]} in admin["rules"]


def test_can_i_list_whoami_and_impersonation(kubectl, tasks) -> None:
    listed = tasks("auth", "can-i", "--list").stdout.splitlines()
    assert listed[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert any(line.split()[0] == "selfsubjectaccessreviews.authorization.k8s.io" for line in listed[1:])
    assert any("[/version]" in line for line in listed)
    assert tasks("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").stdout == SA
    # the admin may impersonate; the account may not
    assert (
        kubectl("auth", "can-i", "create", "jobs", "-n", "tasks", f"--as={SA}", check=False).stdout.strip()
        == "no"
    )
    assert kubectl("auth", "whoami", "--as=alice", "--as-group=devs", "-o", "json").stdout.count("devs") == 1
    refused = tasks("get", "pods", "--as=alice")
    assert refused.stderr.strip() == (
        f'Error from server (Forbidden): users "alice" is forbidden: User "{SA}" cannot impersonate resource '
        '"users" in API group "" at the cluster scope'
    )


def test_anonymous_requests_get_discovery_and_health_only(local_cluster: LocalCluster) -> None:
    def get(path: str) -> tuple[int, dict | str]:
        try:
            with urllib.request.urlopen(
                local_cluster.url + path, context=local_cluster.ssl_context()
            ) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    assert get("/version")[0] == get("/healthz")[0] == 200
    code, body = get("/api/v1/pods")
    assert code == 403
    assert isinstance(body, dict) and body["message"] == (
        'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the '
        "cluster scope"
    )
    assert get("/api")[0] == 403  # system:discovery is for authenticated users only


def test_the_admin_is_unrestricted(kubectl) -> None:
    assert kubectl("auth", "can-i", "*", "*", "--all-namespaces").stdout.strip() == "yes"
    roles = {
        r["metadata"]["name"]
        for r in json.loads(kubectl("get", "clusterroles", "-o", "json").stdout)["items"]
    }
    assert {"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery"} <= roles
