"""The review kinds: created, answered, never stored (authentication.k8s.io and authorization.k8s.io v1).

SelfSubjectReview (`kubectl auth whoami`) and TokenReview answer who a request or a token is;
SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview and LocalSubjectAccessReview whether
RBAC allows an action; SelfSubjectRulesReview (`kubectl auth can-i --list`) what it allows in a namespace.
"""

from typing import Any

from aiohttp import web

from ..auth.authn import Authenticator
from ..auth.users import UserInfo
from ..errors import BadRequest, Unauthorized, invalid
from .bodies import read_body
from .filters import USER_KEY, Authorizer
from .http import respond
from .requestinfo import RequestInfo
from .targets import Target

# (user, namespace) -> (resource rules, non-resource rules, incomplete, evaluation error)
RulesLister = Any


def user_info_json(user: UserInfo) -> dict[str, Any]:
    info: dict[str, Any] = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {k: list(v) for k, v in user.extra.items()}
    return info


def _answer(body: dict[str, Any], kind: str, api_version: str, status: dict[str, Any]) -> dict[str, Any]:
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    answer: dict[str, Any] = {"kind": kind, "apiVersion": api_version, "metadata": meta}
    if "spec" in body or kind not in ("SelfSubjectReview",):
        answer["spec"] = body.get("spec") or {}
    answer["status"] = status
    return answer


def _attributes(user: UserInfo, spec: dict[str, Any], namespace: str | None) -> RequestInfo:
    """The request a SubjectAccessReview spec describes (upstream ResourceAttributesFrom and kin)."""
    resource = spec.get("resourceAttributes")
    if resource:
        return RequestInfo(
            True,
            "",
            str(resource.get("verb") or ""),
            str(resource.get("group") or ""),
            str(resource.get("version") or ""),
            str(namespace if namespace is not None else resource.get("namespace") or ""),
            str(resource.get("resource") or ""),
            str(resource.get("subresource") or ""),
            str(resource.get("name") or ""),
        )
    other = spec.get("nonResourceAttributes") or {}
    return RequestInfo(False, str(other.get("path") or ""), str(other.get("verb") or ""))


class Reviews:
    def __init__(
        self, authenticator: Authenticator, authorize: Authorizer | None, rules: RulesLister | None
    ) -> None:
        self.authenticator, self.authorize, self.rules = authenticator, authorize, rules

    def _decide(self, user: UserInfo, info: RequestInfo) -> dict[str, Any]:
        if user.is_master or self.authorize is None:
            return {"allowed": True}
        allowed, reason = self.authorize(user, info)
        status: dict[str, Any] = {"allowed": allowed}
        if reason:
            status["reason"] = reason
        return status

    async def serve(self, request: web.Request, t: Target) -> web.Response:
        body = await read_body(request, t.rt)
        if not isinstance(body, dict):
            raise BadRequest(f"the body must be a {t.rt.kind} object")
        user = request[USER_KEY]
        kind, api_version = t.rt.kind, t.rt.api_version
        spec = body.get("spec") or {}
        if kind == "SelfSubjectReview":
            status: dict[str, Any] = {"userInfo": user_info_json(user)}
        elif kind == "TokenReview":
            status = self._token_review(spec)
        elif kind == "SelfSubjectRulesReview":
            status = self._rules(user, str(spec.get("namespace") or ""))
        elif kind == "SelfSubjectAccessReview":
            status = self._decide(user, _attributes(user, spec, None))
        else:  # SubjectAccessReview, LocalSubjectAccessReview: about the user the spec names
            subject = UserInfo(
                str(spec.get("user") or ""), tuple(spec.get("groups") or ()), str(spec.get("uid") or "")
            )
            namespace = t.namespace if kind == "LocalSubjectAccessReview" else None
            attributes = spec.get("resourceAttributes") or {}
            if namespace is not None and attributes.get("namespace") not in (None, "", namespace):
                cause = (
                    "spec.resourceAttributes.namespace",
                    "FieldValueInvalid",
                    f'Invalid value: "{attributes["namespace"]}": must match metadata.namespace',
                )
                raise invalid(kind, t.rt.group, "", [cause])
            status = self._decide(subject, _attributes(subject, spec, namespace))
        return respond(_answer(body, kind, api_version, status), 201)

    def _token_review(self, spec: dict[str, Any]) -> dict[str, Any]:
        token = str(spec.get("token") or "")
        try:
            user = self.authenticator.authenticate(f"Bearer {token}") if token else None
        except Unauthorized:
            user = None
        if user is None or not user.name or user.name == "system:anonymous":
            return {"user": {}, "error": "[invalid bearer token, token lookup failed]"}
        return {
            "authenticated": True,
            "user": user_info_json(user),
            "audiences": list(spec.get("audiences") or []),
        }

    def _rules(self, user: UserInfo, namespace: str) -> dict[str, Any]:
        if self.rules is None:
            return {"resourceRules": [], "nonResourceRules": [], "incomplete": True}
        resource_rules, non_resource_rules, error = self.rules(user, namespace)
        status: dict[str, Any] = {
            "resourceRules": resource_rules,
            "nonResourceRules": non_resource_rules,
            "incomplete": False,
        }
        if error:
            status["evaluationError"] = error
        return status
