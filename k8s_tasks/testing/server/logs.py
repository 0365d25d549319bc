"""GET .../pods/NAME/log: the container's log file written by the simulated kubelet; follow streams it."""

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from ..errors import BadRequest, NotFound
from ..sim.logs import log_path
from ..store import Store
from .http import flag, int_param

FOLLOW_POLL_SECONDS = 0.1


def _container(pod: dict[str, Any], requested: str | None) -> str:
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    name = pod["metadata"]["name"]
    if requested:
        init = [c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []]
        if requested not in names + init:
            raise BadRequest(f"container {requested} is not valid for pod {name}")
        return requested
    if len(names) != 1:
        raise BadRequest(
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
        )
    return names[0]


def _tail(data: bytes, lines: int | None) -> bytes:
    if lines is None:
        return data
    if lines <= 0:
        return b""
    parts = data.splitlines(keepends=True)
    return b"".join(parts[-lines:])


def _finished(store: Store, namespace: str, name: str) -> bool:
    rt = store.resource_type("v1", "Pod")
    try:
        pod = store.get(rt, namespace, name, copy=False)
    except NotFound:
        return True
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


async def serve_log(
    request: web.Request, store: Store, log_root: Path | None, namespace: str, name: str
) -> web.StreamResponse:
    pod = store.get(store.resource_type("v1", "Pod"), namespace, name, copy=False)
    container = _container(pod, request.query.get("container"))
    path = log_path(log_root, namespace, name, container) if log_root else None
    if path is None or not path.exists():
        phase = (pod.get("status") or {}).get("phase", "Pending")
        if phase == "Pending" or path is None:
            raise BadRequest(
                f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating'
            )
        data = b""
    else:
        data = await asyncio.to_thread(path.read_bytes)
    data = _tail(data, int_param(request, "tailLines"))
    limit = int_param(request, "limitBytes")
    if not flag(request, "follow"):
        return web.Response(body=data[:limit] if limit else data, content_type="text/plain")
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    await response.prepare(request)
    await response.write(data)
    offset = path.stat().st_size if path is not None and path.exists() else 0
    while True:
        done = _finished(store, namespace, name)
        if path is not None and path.exists():
            size = path.stat().st_size
            if size > offset:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read(size - offset)
                offset = size
                await response.write(chunk)
        if done:
            break
        await asyncio.sleep(FOLLOW_POLL_SECONDS)
    await response.write_eof()
    return response
