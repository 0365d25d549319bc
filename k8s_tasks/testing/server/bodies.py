"""Content negotiation as kube-apiserver words it: request bodies in JSON, YAML or protobuf (built-in kinds),
responses in JSON for any client that accepts it, 406 for one that accepts only what the server cannot write.
"""

import json
from typing import Any

import yaml
from aiohttp import web

from .. import protobuf
from ..errors import BadRequest, NotAcceptable, UnsupportedMediaType
from ..resources import ResourceType
from .http import int_param

JSON_TYPES = ("application/json", "application/yaml")
BUILTIN_BODY_TYPES = (*JSON_TYPES, protobuf.MEDIA_TYPE)
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
_ANY = ("", "*/*", "application/*", *JSON_TYPES)


def media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def unknown_format(accepted: tuple[str, ...] | list[str]) -> UnsupportedMediaType:
    prefix = "the body of the request was in an unknown format - accepted media types include: "
    return UnsupportedMediaType(prefix + ", ".join(accepted))


def check_accept(request: web.Request) -> None:
    """406 when the Accept header names no type this server writes (it writes JSON, which is also YAML)."""
    accept = request.headers.get("Accept")
    if not accept:
        return
    if any(media_type(part) in _ANY for part in accept.split(",")):
        return
    raise NotAcceptable("only the following media types are accepted: " + ", ".join(JSON_TYPES))


def _decode_protobuf(raw: bytes) -> dict[str, Any]:
    try:
        return protobuf.decode_body(raw)
    except protobuf.UnsupportedKind as exc:
        raise UnsupportedMediaType(str(exc)) from None
    except protobuf.DecodeError as exc:
        raise BadRequest(str(exc)) from None


def _parse_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise BadRequest(f"the request body is neither JSON nor YAML: {exc}") from None


async def read_body(request: web.Request, rt: ResourceType | None = None) -> Any:
    """The object a POST or PUT sends, whatever its encoding."""
    kind = media_type(request.headers.get("Content-Type", ""))
    if kind == protobuf.MEDIA_TYPE:
        if rt is not None and rt.is_custom:  # custom resources have no protobuf form
            raise unknown_format(JSON_TYPES)
        return _decode_protobuf(await request.read())
    if kind and kind not in JSON_TYPES:
        raise unknown_format(BUILTIN_BODY_TYPES)
    raw = await request.read()
    if not raw:
        raise BadRequest("the request body is empty: send a JSON (or YAML) object")
    return _parse_text(raw)


async def read_patch(request: web.Request, rt: ResourceType) -> tuple[str, Any]:
    """(patch type, patch body); custom resources take no strategic merge patch, as upstream."""
    kind = media_type(request.headers.get("Content-Type", ""))
    accepted = [t for t, p in PATCH_TYPES.items() if not (rt.is_custom and p == "strategic")]
    if kind not in accepted:
        raise unknown_format(accepted)
    raw = await request.read()
    if not raw:
        raise BadRequest("the request body is empty: send a patch")
    return PATCH_TYPES[kind], _parse_text(raw)


async def read_delete_options(request: web.Request) -> dict[str, Any]:
    """The store's delete options from a DeleteOptions body (JSON or protobuf) and the query."""
    raw = await request.read()
    body: dict[str, Any] = {}
    if raw.strip():
        if media_type(request.headers.get("Content-Type", "")) == protobuf.MEDIA_TYPE:
            body = _decode_protobuf(raw)
        else:
            parsed = _parse_text(raw)
            body = parsed if isinstance(parsed, dict) else {}
    options: dict[str, Any] = {}
    policy = body.get("propagationPolicy") or request.query.get("propagationPolicy")
    if body.get("orphanDependents") is True or request.query.get("orphanDependents") == "true":
        policy = policy or "Orphan"
    if policy:
        options["propagation_policy"] = policy
    grace = body.get("gracePeriodSeconds")
    if grace is None:
        grace = int_param(request, "gracePeriodSeconds")
    if grace is not None:
        options["grace_period_seconds"] = int(grace)
    return options
