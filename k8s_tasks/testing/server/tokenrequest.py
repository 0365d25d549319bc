"""POST .../serviceaccounts/NAME/token (TokenRequest, authentication.k8s.io/v1), as `kubectl create token`
sends it: a token for the ServiceAccount, optionally bound to a Pod or Secret, with upstream's defaults
(the API audiences, 3600 s) and its validation (at least 10 minutes, at most 2^32 seconds)."""

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ..auth.tokens import (
    API_AUDIENCES,
    DEFAULT_EXPIRATION_SECONDS,
    MIN_EXPIRATION_SECONDS,
    Bound,
    TokenIssuer,
)
from ..errors import BadRequest, Conflict, invalid, not_found
from ..objects import now_iso
from ..store import Store
from .bodies import read_body
from .http import respond
from .targets import Target

MAX_EXPIRATION_SECONDS = 1 << 32
_BOUND_KINDS = {"Pod": ("v1", "Pod"), "Secret": ("v1", "Secret")}


def _bound(store: Store, namespace: str, ref: Any) -> Bound | None:
    if not ref:
        return None
    kind, name, uid = ref.get("kind", ""), ref.get("name", ""), ref.get("uid", "")
    if kind not in _BOUND_KINDS:
        raise BadRequest(f"cannot bind token to object of type {kind}")
    obj = store.stored_or_none(store.resource_type(*_BOUND_KINDS[kind]), namespace, name)
    if obj is None:
        raise not_found(kind.lower() + "s", "", name)
    actual = obj["metadata"]["uid"]
    if uid and uid != actual:
        raise Conflict(
            f"the UID in the bound object reference ({uid}) does not match the UID in record. "
            "The object might have been deleted and then recreated"
        )
    if kind != "Pod":
        return Bound()
    node = (obj.get("spec") or {}).get("nodeName") or ""
    return Bound(name, actual, node, "")


async def serve_token_request(
    request: web.Request, store: Store, t: Target, issuer: TokenIssuer
) -> web.Response:
    assert t.name is not None and t.namespace is not None
    account = store.stored_or_none(t.rt, t.namespace, t.name)
    if account is None:
        raise not_found(t.rt.plural, "", t.name)
    body = await read_body(request)
    if not isinstance(body, dict) or body.get("kind") not in (None, "TokenRequest"):
        raise BadRequest("the body of a token request must be a TokenRequest (authentication.k8s.io/v1)")
    spec = dict(body.get("spec") or {})
    seconds = spec.get("expirationSeconds")
    seconds = DEFAULT_EXPIRATION_SECONDS if seconds in (None, 0) else seconds
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise BadRequest("spec.expirationSeconds must be an integer")
    problem = ""
    if seconds < MIN_EXPIRATION_SECONDS:
        problem = "may not specify a duration less than 10 minutes"
    elif seconds > MAX_EXPIRATION_SECONDS:
        problem = "may not specify a duration larger than 2^32 seconds"
    if problem:
        cause = ("spec.expirationSeconds", "FieldValueInvalid", f"Invalid value: {seconds}: {problem}")
        raise invalid("TokenRequest", "authentication.k8s.io", t.name, [cause])
    audiences = tuple(spec.get("audiences") or API_AUDIENCES)
    bound = _bound(store, t.namespace, spec.get("boundObjectRef"))
    token, expiry = issuer.mint(
        t.namespace,
        t.name,
        account["metadata"]["uid"],
        audiences=audiences,
        expiration_seconds=seconds,
        bound=bound,
    )
    spec.update({"audiences": list(audiences), "expirationSeconds": seconds})
    spec.setdefault("boundObjectRef", None)
    expires = datetime.fromtimestamp(expiry, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": t.name, "namespace": t.namespace, "creationTimestamp": now_iso()},
        "spec": spec,
        "status": {"token": token, "expirationTimestamp": expires},
    }
    return respond(answer, 201)
