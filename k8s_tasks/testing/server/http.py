"""Small HTTP helpers shared by the handlers: JSON responses, Accept parameters, query parameters."""

import json
from typing import Any

from aiohttp import web

from ..errors import ApiError, BadRequest


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


def respond(body: Any, status: int = 200) -> web.Response:
    """A JSON response as kube-apiserver sends it: ``Content-Type: application/json``, a trailing newline
    (Go's json.Encoder ends every document with one)."""
    return web.Response(body=(dumps(body) + "\n").encode(), status=status, content_type="application/json")


def error_response(error: ApiError) -> web.Response:
    return respond(error.to_status(), status=error.status)


def wants(request: web.Request, what: str) -> bool:
    """Whether the Accept header asks for ``as=<what>`` (Table, PartialObjectMetadata, ...)."""
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0]
    return f"as={what}" in first.replace(" ", "")


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
