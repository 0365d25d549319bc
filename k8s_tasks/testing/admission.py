"""What kube-apiserver does to an object before storing it, as plain functions: the identity and
metadata of a new object, and the next version of an existing one (spec and status kept apart)."""

import random
from typing import Any

from . import services
from .defaults import apply_create_defaults, apply_update_defaults
from .errors import BadRequest, MethodNotAllowed, NotFound, invalid
from .objects import meta, new_uid, now_iso
from .resources import ResourceType
from .validation import prune

_GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_META_KEEP = (
    "name",
    "namespace",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "resourceVersion",
    "selfLink",
    "managedFields",
)
_NAME_REQUIRED = [
    ("metadata.name", "FieldValueRequired", "metadata.name: Required value: name or generateName is required")
]


def generate_suffix() -> str:
    """Five characters from the alphabet kube-apiserver uses for generateName."""
    raw = random.getrandbits(25)
    return "".join(_GENERATE_ALPHABET[(raw >> (5 * i)) % len(_GENERATE_ALPHABET)] for i in range(5))


def settle_namespace(rt: ResourceType, obj: dict[str, Any], namespace: str | None) -> str:
    """Check apiVersion / kind against the endpoint and settle the namespace, in place; returns the
    namespace ("" for a cluster-scoped kind)."""
    for field, expected in (("apiVersion", rt.api_version), ("kind", rt.kind)):
        if obj.get(field) not in (None, "", expected):
            raise BadRequest(f"{field} {obj[field]!r} does not match the endpoint: expected {expected!r}")
        obj[field] = expected
    m = meta(obj)
    if rt.namespaced:
        ns = namespace or m.get("namespace") or "default"
        if m.get("namespace") not in (None, "", ns):
            raise BadRequest(
                f"the namespace of the provided object ({m['namespace']}) does not match the namespace "
                f"sent on the request ({ns})"
            )
        m["namespace"] = ns
    else:
        m.pop("namespace", None)
    return str(m.get("namespace", ""))


def settle_name(rt: ResourceType, obj: dict[str, Any]) -> str:
    """The object's name, generated from generateName if it has none (in place)."""
    m = obj["metadata"]
    if not m.get("name"):
        if not m.get("generateName"):
            raise invalid(rt.kind, rt.group, "", _NAME_REQUIRED)
        m["name"] = m["generateName"] + generate_suffix()
    return str(m["name"])


def initialise(rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """The server-set metadata (uid, creationTimestamp, generation) and the kind's defaults, or for a
    custom resource the pruning of undeclared fields; returns the object (a new dict if pruned)."""
    m = obj["metadata"]
    for drop in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion", "managedFields"):
        m.pop(drop, None)
    m["uid"] = new_uid()
    m["creationTimestamp"] = now_iso()
    m["generation"] = 1
    if rt.is_custom:
        obj = prune(obj, rt.schema, root=True)
        if "status" in rt.subresources:
            obj.pop("status", None)
    else:
        apply_create_defaults(rt, obj)
    return obj


def next_version(
    rt: ResourceType, current: dict[str, Any], new: dict[str, Any], subresource: str | None
) -> dict[str, Any]:
    """The object an update of ``current`` with ``new`` stores: a status update changes only the status,
    a main-resource update everything but the status and the server-owned metadata (generation counts
    spec changes). ``new`` may be changed in place."""
    if subresource not in (None, "status"):
        raise MethodNotAllowed(f"the subresource {subresource!r} of {rt.plural} cannot be updated")
    if subresource == "status" and "status" not in rt.subresources:
        raise NotFound(f"the server could not find the requested resource ({rt.plural}/status)")
    new["apiVersion"], new["kind"] = current["apiVersion"], current["kind"]
    if subresource == "status":
        if new.get("status") is not None:
            return {**current, "status": new["status"]}
        return {k: v for k, v in current.items() if k != "status"}
    cur_meta, new_meta = current["metadata"], meta(new)
    for field in _META_KEEP:
        if field in cur_meta:
            new_meta[field] = cur_meta[field]
        else:
            new_meta.pop(field, None)
    if "status" in rt.subresources:
        if "status" in current:
            new["status"] = current["status"]
        else:
            new.pop("status", None)
    if rt.is_custom:
        new = prune(new, rt.schema, root=True)
    else:
        apply_update_defaults(rt, new)
        if services.is_service(rt):
            services.update_defaults(current, new)
    if any(
        new.get(k) != current.get(k)
        for k in set(new) | set(current)
        if k not in ("metadata", "status", "apiVersion", "kind")
    ):
        new["metadata"]["generation"] = int(cur_meta.get("generation", 1)) + 1
    return new
