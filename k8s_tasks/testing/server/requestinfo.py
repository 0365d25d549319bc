"""What a request asks for, read from its path, method and query alone, as kube-apiserver's
RequestInfoFactory reads it (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): the
attributes that authorization and the audit log see.

A resource request is ``/api/v1/...`` or ``/apis/GROUP/VERSION/...``; anything else (discovery roots,
``/version``, ``/healthz``, ``/openapi/v3``) is a non-resource request whose verb is the lower-cased HTTP
method. ``GET /api/v1/namespaces/NAME`` names the namespace NAME as well as the object, as upstream.
"""

from dataclasses import dataclass

from multidict import MultiMapping

_VERBS = {
    "POST": "create",
    "GET": "get",
    "HEAD": "get",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}
_NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})


@dataclass(frozen=True, slots=True)
class RequestInfo:
    resource_request: bool
    path: str
    verb: str
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""


def _non_resource(path: str, method: str) -> RequestInfo:
    return RequestInfo(False, path, method.lower())


def _watch_requested(query: MultiMapping[str]) -> bool:
    return query.get("watch", "").lower() in ("true", "1")


def _name_from_field_selector(query: MultiMapping[str]) -> str:
    """The object a list or watch names with ``fieldSelector=metadata.name=X`` (RequiresExactMatch)."""
    selector = query.get("fieldSelector", "")
    for term in selector.split(","):
        key, sep, value = term.partition("==") if "==" in term else term.partition("=")
        if sep and key.strip() == "metadata.name" and not key.endswith("!"):
            return value.strip()
    return ""


def request_info(path: str, method: str, query: MultiMapping[str]) -> RequestInfo:
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) < 2 or parts[0] not in ("api", "apis"):
        return _non_resource(path, method)
    if parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) < 3:
            return _non_resource(path, method)
        group, version, rest = parts[1], parts[2], parts[3:]
    if not rest:
        return _non_resource(path, method)
    verb = _VERBS.get(method.upper(), method.lower())
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) >= 2 else ""
    subresource = rest[2] if len(rest) >= 3 else ""
    if not name and verb == "get":
        verb = "watch" if _watch_requested(query) else "list"
        name = _name_from_field_selector(query)
    if not name and verb == "delete":
        verb = "deletecollection"
    return RequestInfo(True, path, verb, group, version, namespace, resource, subresource, name)
