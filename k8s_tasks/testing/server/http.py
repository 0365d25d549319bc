"""Small HTTP helpers shared by the handlers: JSON responses, Accept parsing, request bodies."""

import json
from typing import Any

import yaml
from aiohttp import web

from ..errors import ApiError, BadRequest, UnsupportedMediaType


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


def respond(body: Any, status: int = 200) -> web.Response:
    """A JSON response, ``Content-Type: application/json`` as kube-apiserver sends it."""
    return web.Response(body=dumps(body).encode(), status=status, content_type="application/json")


def error_response(error: ApiError) -> web.Response:
    return respond(error.to_status(), status=error.status)


def wants(request: web.Request, what: str) -> bool:
    """Whether the Accept header asks for ``as=<what>`` (Table, PartialObjectMetadata, ...)."""
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0]
    return f"as={what}" in first.replace(" ", "")


async def read_body(request: web.Request) -> Any:
    content_type = request.headers.get("Content-Type", "")
    if "protobuf" in content_type or "cbor" in content_type:
        raise UnsupportedMediaType(
            f"the body of the request was in an unknown format ({content_type}): this local cluster speaks "
            "JSON (and YAML) only - configure the client with content type application/json"
        )
    raw = await request.read()
    if not raw:
        raise BadRequest("the request body is empty: send a JSON (or YAML) object")
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise BadRequest(f"the request body is neither JSON nor YAML: {exc}") from None


def flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("true", "1")


def int_param(request: web.Request, name: str) -> int | None:
    text = request.query.get(name)
    if text in (None, ""):
        return None
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"query parameter {name}={text!r} is not an integer") from None
