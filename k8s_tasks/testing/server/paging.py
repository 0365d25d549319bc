"""List pagination (``limit`` / ``continue``), in key order as etcd returns it."""

import base64
import json
from typing import Any

from ..errors import BadRequest


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    m = obj.get("metadata") or {}
    return (m.get("namespace") or "", m.get("name") or "")


def page(
    items: list[dict[str, Any]], limit: int | None, token: str | None, resource_version: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The items of this page and the list metadata (resourceVersion, continue, remainingItemCount)."""
    meta: dict[str, Any] = {"resourceVersion": resource_version}
    if not limit and not token:
        return items, meta
    ordered = sorted(items, key=_key)
    if token:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            after = (state["ns"], state["name"])
        except (ValueError, KeyError, TypeError):
            raise BadRequest(f"continue token {token!r} is not valid: list again without it") from None
        ordered = [o for o in ordered if _key(o) > after]
    if limit and limit < len(ordered):
        chosen = ordered[:limit]
        last = _key(chosen[-1])
        raw = json.dumps({"ns": last[0], "name": last[1], "rv": resource_version}).encode()
        meta["continue"] = base64.urlsafe_b64encode(raw).decode()
        meta["remainingItemCount"] = len(ordered) - limit
        return chosen, meta
    return ordered, meta
