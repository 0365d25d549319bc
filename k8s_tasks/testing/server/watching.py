"""HTTP watch streams: newline-delimited JSON events, initial state, resume, bookmarks, timeouts."""

import asyncio
import contextlib
import time
from typing import Any

from aiohttp import web

from .. import fieldlabels
from ..errors import Gone
from ..resources import ResourceType
from ..store import Store
from .faults import Faults
from .http import dumps, flag, int_param, wants
from .tables import partial_metadata, table

DEFAULT_TIMEOUT_SECONDS = 1800
INITIAL_BATCH = 500  # initial ADDED events per write


class _Stream:
    def __init__(self, request: web.Request, rt: ResourceType, resource_version: str) -> None:
        self.as_table = wants(request, "Table")
        self.as_meta = wants(request, "PartialObjectMetadata")
        self.include = request.query.get("includeObject")
        self.rt = rt
        self.first = True
        self.response = web.StreamResponse(headers={"Content-Type": "application/json"})
        self.response.enable_chunked_encoding()

    def encode(self, event: str, obj: dict[str, Any], rv: str) -> bytes:
        if event != "BOOKMARK":
            if self.as_table:
                obj = table(self.rt, [obj], rv, self.include, with_columns=self.first)
                self.first = False
            elif self.as_meta:
                obj = partial_metadata(obj)
        return (dumps({"type": event, "object": obj}) + "\n").encode()


def _bookmark(rt: ResourceType, resource_version: str, initial_end: bool) -> dict[str, Any]:
    metadata: dict[str, Any] = {"resourceVersion": resource_version}
    if initial_end:
        metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": metadata}


async def serve_watch(
    request: web.Request,
    store: Store,
    faults: Faults,
    rt: ResourceType,
    namespace: str | None,
    bookmark_seconds: float,
) -> web.StreamResponse:
    labels = request.query.get("labelSelector")
    fields = fieldlabels.check(rt, request.query.get("fieldSelector"))
    rv = request.query.get("resourceVersion") or None
    send_initial = request.query.get("sendInitialEvents")
    initial: list[dict[str, Any]] = []
    if send_initial == "true" or (rv in (None, "0") and send_initial != "false"):
        initial, listed = store.list(rt, namespace, label_selector=labels, field_selector=fields, copy=False)
        rv = listed if rv in (None, "0") or int(rv) < int(listed) else rv
    stream = _Stream(request, rt, store.resource_version)
    try:
        watch = store.watch(
            rt, namespace, label_selector=labels, field_selector=fields, resource_version=rv, copy=False
        )
    except Gone as gone:  # kube-apiserver answers 200 and sends the 410 as an ERROR event
        await stream.response.prepare(request)
        await stream.response.write((dumps({"type": "ERROR", "object": gone.to_status()}) + "\n").encode())
        await stream.response.write_eof()
        return stream.response
    timeout = int_param(request, "timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    bookmarks = flag(request, "allowWatchBookmarks")
    unregister = faults.register_watch(watch.close)
    response = stream.response
    try:
        await response.prepare(request)
        for start in range(0, len(initial), INITIAL_BATCH):
            chunk = initial[start : start + INITIAL_BATCH]
            now = store.resource_version
            await response.write(b"".join(stream.encode("ADDED", obj, now) for obj in chunk))
        if send_initial == "true":  # WatchList: a bookmark marks the end of the initial state
            end = _bookmark(rt, rv or store.resource_version, True)
            await response.write(stream.encode("BOOKMARK", end, ""))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            events = await watch.batch(min(left, bookmark_seconds) if bookmarks else left)
            if events is None:
                break
            if not events:
                if bookmarks and time.monotonic() < deadline:
                    mark = _bookmark(rt, store.resource_version, False)
                    await response.write(stream.encode("BOOKMARK", mark, store.resource_version))
                continue
            encode = stream.encode
            await response.write(
                b"".join(encode(event, obj, obj["metadata"]["resourceVersion"]) for event, obj in events)
            )
        with contextlib.suppress(ConnectionError):
            await response.write_eof()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        unregister()
        watch.close()
    return response
