"""RBAC authorization, as kube-apiserver's RBACAuthorizer decides (plugin/pkg/auth/authorizer/rbac/rbac.go,
pkg/registry/rbac/validation/rule.go): the rules of every ClusterRoleBinding that names the user, then of
every RoleBinding in the request's namespace; a request is allowed by the first rule that covers its verb,
API group, resource (``resource/subresource``, ``*``, ``*/subresource``), name, or non-resource URL (``*``,
exact, or a prefix ending ``*``). A binding whose role is missing adds ``RBAC: <error>`` to the reason of a
denial, as upstream's aggregate of resolution errors.
"""

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .users import UserInfo

if TYPE_CHECKING:
    from ..server.requestinfo import RequestInfo
    from ..store import Store

Rule = dict[str, Any]
Visit = tuple[str | None, Rule | None, str | None]  # (source, rule, resolution error)


def _has(values: Any, wanted: str) -> bool:
    return isinstance(values, list) and (wanted in values or "*" in values)


def resource_matches(rule: Rule, combined: str, subresource: str) -> bool:
    for resource in rule.get("resources") or ():
        if resource in ("*", combined):
            return True
        if subresource and resource == f"*/{subresource}":
            return True
    return False


def url_matches(rule: Rule, path: str) -> bool:
    for url in rule.get("nonResourceURLs") or ():
        if url in ("*", path):
            return True
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


def rule_allows(info: "RequestInfo", rule: Rule) -> bool:
    if not _has(rule.get("verbs"), info.verb):
        return False
    if not info.resource_request:
        return url_matches(rule, info.path)
    combined = f"{info.resource}/{info.subresource}" if info.subresource else info.resource
    names = rule.get("resourceNames") or []
    return (
        _has(rule.get("apiGroups"), info.api_group)
        and resource_matches(rule, combined, info.subresource)
        and (not names or info.name in names)
    )


def _applies(user: UserInfo, subject: dict[str, Any], namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return bool(user.name == name)
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or namespace
        return bool(sa_namespace) and user.name == f"system:serviceaccount:{sa_namespace}:{name}"
    return False


def _describe(subject: dict[str, Any], binding_namespace: str) -> str:
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        return f'{kind} "{name}/{subject.get("namespace") or binding_namespace}"'
    return f'{kind} "{name}"'


class RBACAuthorizer:
    def __init__(self, store: "Store") -> None:
        self.store = store
        self.roles = store.resource_type("rbac.authorization.k8s.io/v1", "Role")
        self.bindings = store.resource_type("rbac.authorization.k8s.io/v1", "RoleBinding")
        self.cluster_roles = store.resource_type("rbac.authorization.k8s.io/v1", "ClusterRole")
        self.cluster_bindings = store.resource_type("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")

    def _role_rules(self, ref: dict[str, Any], namespace: str) -> tuple[list[Rule], str | None]:
        kind, name = ref.get("kind"), str(ref.get("name") or "")
        if kind == "Role":
            role = self.store.stored_or_none(self.roles, namespace, name)
            missing = f'role.rbac.authorization.k8s.io "{name}" not found'
        elif kind == "ClusterRole":
            role = self.store.stored_or_none(self.cluster_roles, None, name)
            missing = f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
        else:
            return [], f'unsupported role reference kind: "{kind}"'
        if role is None:
            return [], missing
        return [r for r in role.get("rules") or [] if isinstance(r, dict)], None

    def visit(self, user: UserInfo, namespace: str) -> Iterator[Visit]:
        """Every rule that applies to the user in the namespace, with its source, and each resolution
        error (VisitRulesFor)."""
        scopes: list[tuple[str, list[dict[str, Any]]]] = [("", self.store.all_of(self.cluster_bindings))]
        if namespace:
            scopes.append((namespace, self.store.list(self.bindings, namespace, copy=False)[0]))
        for binding_namespace, bindings in scopes:
            for binding in bindings:
                subject = next(
                    (s for s in binding.get("subjects") or [] if _applies(user, s, binding_namespace)), None
                )
                if subject is None:
                    continue
                ref = binding.get("roleRef") or {}
                rules, error = self._role_rules(ref, binding_namespace)
                if error is not None:
                    yield None, None, error
                    continue
                name = binding["metadata"]["name"]
                kind = "ClusterRoleBinding" if not binding_namespace else "RoleBinding"
                if binding_namespace:
                    name = f"{name}/{binding_namespace}"
                source = (
                    f'{kind} "{name}" of {ref.get("kind")} "{ref.get("name")}" to '
                    f"{_describe(subject, binding_namespace)}"
                )
                for rule in rules:
                    yield source, rule, None

    def authorize(self, user: UserInfo, info: "RequestInfo") -> tuple[bool, str]:
        """(allowed, reason): ``RBAC: allowed by <source>``, or the resolution errors of a denial."""
        errors: list[str] = []
        for source, rule, error in self.visit(user, info.namespace):
            if rule is not None and rule_allows(info, rule):
                return True, f"RBAC: allowed by {source}"
            if error is not None:
                errors.append(error)
        if not errors:
            return False, ""
        return False, "RBAC: " + (errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]")

    def rules(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[Rule], str]:
        """What a SelfSubjectRulesReview answers: (resource rules, non-resource rules, evaluation error)."""
        resource_rules: list[Rule] = []
        url_rules: list[Rule] = []
        errors: list[str] = []
        if user.is_master:  # system:masters is allowed by the privileged-group authorizer
            resource_rules.append({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
            url_rules.append({"verbs": ["*"], "nonResourceURLs": ["*"]})
        for _, rule, error in self.visit(user, namespace):
            if error is not None:
                errors.append(error)
                continue
            assert rule is not None
            if rule.get("resources"):
                entry = {"verbs": list(rule.get("verbs") or [])}
                for field in ("apiGroups", "resources", "resourceNames"):
                    if rule.get(field):
                        entry[field] = list(rule[field])
                resource_rules.append(entry)
            if rule.get("nonResourceURLs"):
                url_rules.append(
                    {"verbs": list(rule.get("verbs") or []), "nonResourceURLs": rule["nonResourceURLs"]}
                )
        error = ""
        if errors:
            error = errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"
        return resource_rules, url_rules, error


def authorizer_for(store: "Store") -> Callable[[UserInfo, "RequestInfo"], tuple[bool, str]]:
    return RBACAuthorizer(store).authorize
