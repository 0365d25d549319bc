"""Subresources with their own bodies: pods/eviction, the autoscaling/v1 Scale of deployments and replicasets
(GET, PUT and PATCH, as `kubectl scale` uses them), and what DELETE answers."""

from typing import Any

from aiohttp import web

from ..errors import BadRequest, MethodNotAllowed, NotFound, conflict, invalid
from ..objects import now_iso
from ..patching import json_patch, merge_patch
from ..resources import ResourceType
from ..sim.rollout import selector_string
from ..store import Store
from .bodies import read_body, read_patch
from .http import respond
from .targets import Target

# Kinds whose registry sets ReturnDeletedObject (pods, services, serviceaccounts, persistentvolumeclaims) or
# whose DELETE answers the object itself (namespaces); every other kind answers a Status with details.
RETURNS_DELETED_OBJECT = frozenset(
    {
        ("", "pods"),
        ("", "services"),
        ("", "serviceaccounts"),
        ("", "persistentvolumeclaims"),
        ("", "namespaces"),
    }
)


def deletion_answer(rt: ResourceType, obj: dict[str, Any], gone: bool) -> dict[str, Any]:
    """The body of a DELETE: the object while it waits for finalizers or graceful termination, or for the
    kinds that return it; else the generic registry's Status (details.kind is the resource, as upstream)."""
    if not gone or rt.key in RETURNS_DELETED_OBJECT:
        return obj
    meta = obj["metadata"]
    details = {"name": meta["name"], "group": rt.group, "kind": rt.plural, "uid": meta["uid"]}
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {k: v for k, v in details.items() if v},
    }


async def post_subresource(request: web.Request, store: Store, t: Target) -> web.Response:
    assert t.name is not None
    if t.sub != "eviction":
        raise MethodNotAllowed(f"POST is not supported on {t.rt.plural}/{t.sub}")

    def mark(pod: dict[str, Any]) -> None:
        status = pod.setdefault("status", {})
        status["conditions"] = [
            *(status.get("conditions") or []),
            {
                "type": "DisruptionTarget",
                "status": "True",
                "reason": "EvictionByEvictionAPI",
                "message": "Eviction API: evicting",
                "lastTransitionTime": now_iso(),
            },
        ]

    store.mutate(t.rt, t.namespace, t.name, mark, subresource="status")
    store.delete(t.rt, t.namespace, t.name)
    return respond(
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201
    )


def scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    """The autoscaling/v1 Scale of a Deployment or ReplicaSet (scaleFromDeployment / scaleFromReplicaSet)."""
    meta, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    scale_meta = {
        k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
    }
    scale_status: dict[str, Any] = {"replicas": int(status.get("replicas") or 0)}
    selector = selector_string(spec.get("selector"))
    if selector:
        scale_status["selector"] = selector
    scale_spec = {"replicas": spec["replicas"]} if spec.get("replicas") else {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": scale_spec,
        "status": scale_status,
    }


def _replicas(scale: Any, name: str) -> int:
    if not isinstance(scale, dict):
        raise BadRequest("the body of a scale update must be a Scale object")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        kind = type(replicas).__name__
        raise BadRequest(
            f'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal {kind} into Go '
            "struct field ScaleSpec.spec.replicas of type int32"
        )
    if replicas < 0:
        cause = (
            "spec.replicas",
            "FieldValueInvalid",
            f"Invalid value: {replicas}: must be greater than or equal to 0",
        )
        raise invalid("Scale", "autoscaling", name, [cause])
    return replicas


async def serve_scale(request: web.Request, store: Store, t: Target, verb: str) -> web.Response:
    """GET returns the Scale; PUT and PATCH set spec.replicas of the scaled object (a PUT's
    resourceVersion must match)."""
    if t.name is None:
        raise NotFound(f"the server could not find the requested resource ({t.rt.plural}/scale)")
    current = store.get(t.rt, t.namespace, t.name, copy=False)
    if verb == "get":
        return respond(scale_of(current))
    if verb == "update":
        body = await read_body(request, t.rt)
        version = (
            ((body or {}).get("metadata") or {}).get("resourceVersion") if isinstance(body, dict) else None
        )
        if version not in (None, "") and version != current["metadata"]["resourceVersion"]:
            raise conflict(t.rt.plural, t.rt.group, t.name)
    elif verb == "patch":
        patch_type, patch = await read_patch(request, t.rt)
        scale = scale_of(current)
        if patch_type == "json":
            body = json_patch(scale, patch)
        elif isinstance(patch, dict):
            body = merge_patch(scale, patch)  # a Scale has no lists: strategic and apply merge the same way
        else:
            raise BadRequest("a merge patch must be a JSON object")
    else:
        raise MethodNotAllowed(f"{request.method} is not supported on {t.rt.plural}/scale")
    replicas = _replicas(body, t.name)

    def scale_to(obj: dict[str, Any]) -> None:
        obj.setdefault("spec", {})["replicas"] = replicas

    return respond(scale_of(store.mutate(t.rt, t.namespace, t.name, scale_to)))
