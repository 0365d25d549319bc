"""What a resource path names (type, namespace, object, subresource) and the verb a request is."""

from aiohttp import web

from ..errors import NotFound
from ..resources import ResourceType
from ..store import Store
from .http import flag


class Target:
    """What a resource path names: type, namespace, object name and subresource."""

    def __init__(self, rt: ResourceType, namespace: str | None, name: str | None, sub: str | None) -> None:
        self.rt, self.namespace, self.name, self.sub = rt, namespace, name, sub


def parse_target(store: Store, group: str, version: str, tail: str) -> Target:
    parts = [p for p in tail.split("/") if p]
    if not parts:
        raise NotFound("the server could not find the requested resource")
    namespace = None
    if parts[0] == "namespaces" and len(parts) >= 3 and parts[2] not in ("status", "finalize"):
        namespace, parts = parts[1], parts[2:]
    if len(parts) > 3:
        raise NotFound(f"the server could not find the requested resource: /{tail}")
    rt = store.resource_for(group, version, parts[0])
    name = parts[1] if len(parts) > 1 else None
    sub = parts[2] if len(parts) > 2 else None
    if sub is not None and sub not in rt.subresources:
        raise NotFound(f"the server could not find the requested resource ({rt.plural}/{sub})")
    if not rt.namespaced and namespace is not None:
        raise NotFound(f"the server could not find the requested resource: {rt.plural} is cluster-scoped")
    return Target(rt, namespace, name, sub)


_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def verb_of(request: web.Request, target: Target) -> str:
    verb = _VERBS.get(request.method, "get")
    if target.name is None:
        if verb == "get":
            return "watch" if flag(request, "watch") else "list"
        if verb == "delete":
            return "deletecollection"
    return verb
