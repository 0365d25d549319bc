"""HTTP watch streams: newline-delimited JSON events, initial state, resume, bookmarks, timeouts."""

import asyncio
import contextlib
import time
from typing import Any

from aiohttp import web

from ..errors import Gone
from ..resources import ResourceType
from ..store import Store
from .faults import Faults
from .http import dumps, flag, int_param, wants
from .tables import partial_metadata, table

DEFAULT_TIMEOUT_SECONDS = 1800


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
    labels, fields = request.query.get("labelSelector"), request.query.get("fieldSelector")
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
        for obj in initial:
            await response.write(stream.encode("ADDED", obj, store.resource_version))
        if send_initial == "true":  # WatchList: a bookmark marks the end of the initial state
            end = _bookmark(rt, rv or store.resource_version, True)
            await response.write(stream.encode("BOOKMARK", end, ""))
        iterator = aiter(watch)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            wait = min(left, bookmark_seconds) if bookmarks else left
            try:
                event, obj = await asyncio.wait_for(anext(iterator), timeout=wait)
            except TimeoutError:
                if bookmarks and time.monotonic() < deadline:
                    mark = _bookmark(rt, store.resource_version, False)
                    await response.write(stream.encode("BOOKMARK", mark, store.resource_version))
                continue
            except StopAsyncIteration:
                break
            await response.write(stream.encode(event, obj, obj["metadata"]["resourceVersion"]))
        with contextlib.suppress(ConnectionError):
            await response.write_eof()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        unregister()
        watch.close()
    return response
