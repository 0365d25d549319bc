"""Event objects (core v1) as the real components write them, for ``kubectl describe`` and operators."""

import logging
import random
import time
from typing import TYPE_CHECKING, Any

from ..errors import ApiError
from ..objects import stamp

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger(__name__)


def event_manifest(
    involved: dict[str, Any],
    kind_api: tuple[str, str],
    type_: str,
    reason: str,
    message: str,
    component: str,
    host: str | None = None,
    field_path: str | None = None,
) -> dict[str, Any]:
    """A core v1 Event about ``involved`` (``kind_api`` = (kind, apiVersion))."""
    meta = involved["metadata"]
    now_ns = time.time_ns()
    when = stamp(now_ns / 1e9)
    ref: dict[str, Any] = {
        "kind": kind_api[0],
        "apiVersion": kind_api[1],
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
    }
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    if field_path:
        ref["fieldPath"] = field_path
    source: dict[str, Any] = {"component": component}
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{meta['name']}.{now_ns:x}{random.getrandbits(16):04x}",
            "namespace": meta.get("namespace") or "default",
        },
        "involvedObject": ref,
        "reason": reason,
        "message": message,
        "type": type_,
        "source": source,
        "count": 1,
        "firstTimestamp": when,
        "lastTimestamp": when,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": host or "",
    }


class Recorder:
    """Writes events through the store; a failed write is logged, never raised (as client-go does).
    The events are built here, so they are stored as they are (no copy, no schema validation)."""

    def __init__(self, store: "Store") -> None:
        self.store = store
        self._rt = store.resource_type("v1", "Event")

    def record(
        self,
        involved: dict[str, Any],
        type_: str,
        reason: str,
        message: str,
        component: str,
        host: str | None = None,
        field_path: str | None = None,
    ) -> None:
        kind_api = (involved.get("kind") or "Pod", involved.get("apiVersion") or "v1")
        event = event_manifest(involved, kind_api, type_, reason, message, component, host, field_path)
        try:
            self.store.create(self._rt, event, copy=False, check=False)
        except ApiError as exc:  # e.g. a terminating namespace: client-go drops the event too
            log.debug("Server rejected event (will not retry!): %s", exc.message)
        except Exception:
            log.exception("could not record event %s %s", reason, message)
