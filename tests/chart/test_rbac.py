"""The operator's RBAC: namespaced, least privilege, exactly the requests the operator makes.

ROLE below is the single statement of what the operator needs: per (apiGroup, resource), each verb with
the call that needs it. The rendered Role must be exactly this table; every request in
operator/k8s_tasks_operator/kube.py (the operator's only door to the API) must be in it, and every
`kube.<function>` the table names must make that request; what kopf does by itself is checked against
its registry and source. GRANTED is the table as (apiGroup, resource, verb) triples, to compare with the
requests an audit log records across the end-to-end tests."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .helm import CHART, FULLNAME, NAMESPACE, ROOT, by_kind, one, render

KUBE_PY = ROOT / "operator" / "k8s_tasks_operator" / "kube.py"


@dataclass(frozen=True)
class Rule:
    group: str
    resource: str
    verbs: dict[str, str]
    """verb -> why: the call that makes the request (kube.<function>, or kopf's own)."""


ROLE: tuple[Rule, ...] = (
    Rule(
        "batch",
        "jobs",
        {
            "create": "kube.create_job: one Job per task attempt (dispatch; the resync for a claimed row "
            "without its Job)",
            "get": "kube.create_job after 409 AlreadyExists, to adopt the Job; kube.get_job: a Job that "
            "seems gone is confirmed before anything irreversible",
            "list": "kube.list_managed('jobs'): the Job informer's listing, again after a 410 Gone",
            "watch": "kube.watch_managed('jobs'): the Job informer",
            "delete": "kube.delete_job: a cancel (foreground), a Job whose row moved past it, a Job "
            "without a row",
        },
    ),
    Rule(
        "",
        "pods",
        {
            "list": "kube.list_managed('pods'): the pod informer's listing; kube.job_pods: one Job's pods",
            "watch": "kube.watch_managed('pods'): the pod informer",
        },
    ),
    Rule(
        "",
        "pods/log",
        {
            "get": "kube.log_tail: a failed pod's last lines for the task's error; a sealed pod's outcome "
            "when it does not fit in the termination message"
        },
    ),
    Rule(
        "",
        "events",
        {
            "create": "kube.post_event: Dispatched on TaskQueues, TaskFailed / TaskRetry / Orphaned on "
            "Jobs, Enqueued / AlreadyActive / Replaced / MissSchedule on TaskSchedules; kopf posts its own "
            "through kopf._cogs.clients.events.post_event (core v1 events, POST)"
        },
    ),
    Rule(
        "k8stasks.io",
        "taskqueues",
        {
            "list": "kube.list_queues at start; kopf's listing before it watches "
            "(kopf._cogs.clients.fetching.fetch_objs)",
            "watch": "kopf: the watch behind @kopf.on.event (kopf._cogs.clients.watching.watch_objs)",
        },
    ),
    Rule(
        "k8stasks.io",
        "taskqueues/status",
        {"patch": "kube.patch_queue_status: counts, Valid, podSecurity, isolation (a merge patch)"},
    ),
    Rule(
        "k8stasks.io",
        "taskschedules",
        {
            "list": "kube.list_schedules: the schedule loop's listing, at start and every --resync-seconds; "
            "kopf's listing before it watches (kopf._cogs.clients.fetching.fetch_objs)",
            "watch": "kopf: the watch behind @kopf.on.event (kopf._cogs.clients.watching.watch_objs)",
        },
    ),
    Rule(
        "k8stasks.io",
        "taskschedules/status",
        {"patch": "kube.patch_schedule_status: times, active and recent runs, counts, Valid (a merge patch)"},
    ),
    Rule(
        "",
        "secrets",
        {"create": "kube.create_secret: a sealed task's payload, one per attempt, owned by its Job"},
    ),
    Rule(
        "networking.k8s.io",
        "networkpolicies",
        {
            "list": "kube.list_policies: ours, by the managed-by label",
            "create": "kube.create_policy: an isolated queue's deny-all policy",
            "update": "kube.replace_policy: a policy that was changed, put back",
            "delete": "kube.delete_policy: the policy of a queue that is no longer isolated",
        },
    ),
)

GRANTED: frozenset[tuple[str, str, str]] = frozenset(
    (rule.group, rule.resource, verb) for rule in ROLE for verb in rule.verbs
)

METHOD_VERBS = {"POST": {"create"}, "PUT": {"update"}, "PATCH": {"patch"}, "DELETE": {"delete"}}
GET_VERBS = {"get", "list", "watch"}


def test_the_rendered_role_is_the_table() -> None:
    role = one(render(), "Role")
    assert role["metadata"] == role["metadata"] | {"name": FULLNAME, "namespace": NAMESPACE}
    assert role["rules"] == [
        {"apiGroups": [r.group], "resources": [r.resource], "verbs": list(r.verbs)} for r in ROLE
    ]


def text(node: ast.expr | None) -> str | None:
    """The value of a string literal, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def requests_of(function: ast.FunctionDef) -> set[tuple[str | None, str]]:
    """(resource or None when the kind is a parameter, verb) of every _request call in one function."""
    found: set[tuple[str | None, str]] = set()
    watches = any(text(n) == "watch" for n in ast.walk(function) if isinstance(n, ast.expr))
    for call in ast.walk(function):
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "_request"):
            continue
        method, resource = text(call.args[0]), text(call.args[1])
        assert method is not None, ast.unparse(call)
        name = call.args[3] if len(call.args) > 3 else None
        if isinstance(name, ast.JoinedStr) and resource:  # f"{name}/status", f"{pod}/log": a subresource
            last = text(name.values[-1])
            assert last is not None and last.startswith("/"), ast.unparse(name)
            resource += last
        if method == "GET":
            verb = "get" if name is not None else "watch" if watches else "list"
        else:
            (verb,) = METHOD_VERBS[method]
        found.add((resource, verb))
    return found


def kube_requests() -> dict[str, set[tuple[str | None, str]]]:
    """kube.py's public functions that make requests, each with what it requests."""
    tree = ast.parse(KUBE_PY.read_text())
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    return {f.name: made for f in functions if (made := requests_of(f))}


def test_every_request_in_kube_py_is_granted_for_the_reason_the_table_gives() -> None:
    from k8s_tasks_operator import kube

    requests = kube_requests()
    assert {"create_job", "create_secret", "patch_queue_status", "watch_managed"} <= set(requests)
    for function, made in requests.items():
        for resource, verb in made:
            rules = [r for r in ROLE if verb in r.verbs and f"kube.{function}" in r.verbs[verb]]
            assert rules, f"kube.{function} makes a {verb} request the table does not name it for"
            if resource is not None:
                assert [r.resource for r in rules] == [resource], (function, verb)
                path = kube.PATHS[resource.split("/")[0]]
                group = "" if path.startswith("/api/") else path.split("/")[2]
                assert rules[0].group == group, (function, resource)
    for rule in ROLE:
        for verb, why in rule.verbs.items():
            for function in re.findall(r"kube\.(\w+)", why):
                assert function in requests, f"{rule.resource} {verb}: kube.{function} makes no request"
                made = requests[function]
                assert (rule.resource, verb) in made or (None, verb) in made, (rule.resource, verb, function)


def test_what_kopf_does_by_itself_lists_watches_and_posts_events_only() -> None:
    """The operator's kopf handlers are startup, cleanup, a probe and one @kopf.on.event each for
    TaskQueues and TaskSchedules: no change-detecting, daemon, index or webhook handler, so kopf adds no
    finalizer and stores no progress or diff base on either (it never patches one); kopf's events are
    core v1, POSTed."""
    import kopf
    from kopf._cogs.clients import events
    from kopf._cogs.structs.references import EVENTS

    from k8s_tasks_operator import handlers

    registry = kopf.get_default_registry()

    def ours(registered: Collection[Any]) -> list[Any]:
        return [h for h in registered if getattr(h.fn, "__module__", "") == handlers.__name__]

    for kind in (registry._changing, registry._spawning, registry._indexing, registry._webhooks):
        assert ours(kind.get_all_handlers()) == []
    watching = ours(registry._watching.get_all_handlers())
    assert [(h.selector.group, h.selector.any_name) for h in watching] == [
        ("k8stasks.io", "taskqueues"),
        ("k8stasks.io", "taskschedules"),
    ]
    startup = inspect.getsource(handlers.startup)
    assert "settings.peering.standalone = True" in startup
    assert "settings.scanning.disabled = True" in startup
    assert (EVENTS.group, EVENTS.version, EVENTS.any_name) == ("", "v1", "events")
    posting = inspect.getsource(events.post_event)
    assert "api.post(" in posting and "api.patch(" not in posting


@pytest.mark.parametrize(
    "name", sorted({n for r in ROLE for w in r.verbs.values() for n in re.findall(r"kopf\.[\w.]+", w)})
)
def test_the_kopf_functions_the_table_names_exist(name: str) -> None:
    module, _, attribute = name.rpartition(".")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_no_cluster_wide_permission_and_secrets_are_only_created() -> None:
    manifests = render(value_files=[Path(__file__).with_name("values-full.yaml")])
    assert by_kind(manifests, "ClusterRole") == []
    assert by_kind(manifests, "ClusterRoleBinding") == []
    rules = one(manifests, "Role")["rules"]
    for rule in rules:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]
        assert not {"configmaps", "leases", "roles", "rolebindings", "serviceaccounts"} & set(
            rule["resources"]
        )
        assert "escalate" not in rule["verbs"] and "bind" not in rule["verbs"]
    assert [r["verbs"] for r in rules if "secrets" in r["resources"]] == [["create"]]


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


def role_template() -> str:
    return (CHART / "templates" / "role.yaml").read_text()


def test_every_rule_in_the_template_has_a_comment() -> None:
    lines = role_template().splitlines()
    rule_starts = [n for n, line in enumerate(lines) if re.match(r"\s*- apiGroups:", line)]
    assert len(rule_starts) == len(ROLE)
    for n in rule_starts:
        assert lines[n - 1].strip().startswith("#"), f"rule at line {n + 1} has no comment"


def test_the_header_says_what_is_true_of_secrets() -> None:
    header = " ".join(line.lstrip("# ") for line in role_template().splitlines() if line.startswith("#"))
    assert "No access to Secrets" not in header
    assert "creates them (a sealed task's payload) and never reads one" in header
    assert "creating Jobs lets it mount any Secret of this namespace into a pod" in header


def test_the_chart_readme_states_the_same_rules() -> None:
    text = (CHART / "README.md").read_text()
    section = text[text.index("## Permissions") :]
    rows = re.findall(r"^\| `([^`]*)` \| `([^`]*)` \| ([a-z, ]+) \|", section, re.MULTILINE)
    stated = [(group.strip('"'), resource, verbs.split(", ")) for group, resource, verbs in rows]
    assert stated == [(r.group, r.resource, list(r.verbs)) for r in ROLE]
    assert "keep only the app's own Secrets in the release namespace" in section
