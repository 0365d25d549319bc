"""A shared informer: one list+watch per resource type, an in-memory cache, and cheap handlers.

Controllers never scan the store: handlers turn each change into keys on a work queue. The cache holds
the store's own objects (list and watch with ``copy=False``): the store never changes a stored object in
place, so they are read-only snapshots, and no handler may change them either (edit a copy). A controller that
writes an object feeds the result back with ``upsert`` so its next decision sees its own write at once
(the later watch event with the same or an older resourceVersion is ignored).
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..resources import ResourceType
    from ..store import Store

log = logging.getLogger(__name__)
Key = tuple[str | None, str]
Handler = Callable[[str, dict[str, Any], dict[str, Any] | None], None]


def key_of(obj: dict[str, Any]) -> Key:
    meta = obj["metadata"]
    return (meta.get("namespace"), meta["name"])


def _rv(obj: dict[str, Any]) -> int:
    try:
        return int(obj["metadata"].get("resourceVersion") or 0)
    except ValueError:
        return 0


class Informer:
    def __init__(self, store: "Store", rt: "ResourceType") -> None:
        self.store, self.rt = store, rt
        self.cache: dict[Key, dict[str, Any]] = {}
        self.handlers: list[Handler] = []
        self.synced = asyncio.Event()

    def get(self, namespace: str | None, name: str) -> dict[str, Any] | None:
        return self.cache.get((namespace, name))

    def _emit(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        for handler in self.handlers:
            try:
                handler(kind, obj, old)
            except Exception:  # a handler bug must not stop the cluster
                log.exception("informer handler failed for %s %s", self.rt.kind, key_of(obj))

    def upsert(self, obj: dict[str, Any]) -> None:
        """Apply an object version (from a watch event or a controller's own write) if it is newer."""
        key = key_of(obj)
        old = self.cache.get(key)
        if old is not None and _rv(old) >= _rv(obj):
            return
        self.cache[key] = obj
        self._emit("MODIFIED" if old is not None else "ADDED", obj, old)

    def remove(self, obj: dict[str, Any]) -> None:
        old = self.cache.pop(key_of(obj), None)
        if old is not None:
            self._emit("DELETED", obj, old)

    def _relist(self) -> str:
        items, rv = self.store.list(self.rt, copy=False)
        seen = set()
        for item in items:
            seen.add(key_of(item))
            self.upsert(item)
        for key in [k for k in self.cache if k not in seen]:
            self.remove(self.cache[key])
        return rv

    async def run(self) -> None:
        from ..errors import ApiError

        while True:
            rv = self._relist()
            self.synced.set()
            watch = self.store.watch(self.rt, resource_version=rv, copy=False)
            try:
                async for kind, obj in watch:
                    if kind == "DELETED":
                        self.remove(obj)
                    elif kind in ("ADDED", "MODIFIED"):
                        self.upsert(obj)
            except ApiError as exc:  # 410 Gone: relist
                log.info("informer %s: %s; relisting", self.rt.plural, exc)
            finally:
                watch.close()
            await asyncio.sleep(0)


class WorkQueue:
    """Keys to process, each at most once in the queue; ``add_after`` for timers."""

    def __init__(self) -> None:
        self._items: deque[Key] = deque()
        self._queued: set[Key] = set()
        self._wake = asyncio.Event()
        self._timers: dict[Key, asyncio.TimerHandle] = {}

    def add(self, key: Key) -> None:
        if key not in self._queued:
            self._queued.add(key)
            self._items.append(key)
            self._wake.set()

    def add_after(self, key: Key, seconds: float) -> None:
        timer = self._timers.get(key)
        loop = asyncio.get_running_loop()
        if timer is not None:
            if timer.when() <= loop.time() + seconds:
                return
            timer.cancel()
        self._timers[key] = loop.call_later(max(seconds, 0.0), self._fire, key)

    def _fire(self, key: Key) -> None:
        self._timers.pop(key, None)
        self.add(key)

    async def run(self, process: Callable[[Key], None]) -> None:
        """Process keys forever; one failing key is logged and retried later."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._items:
                key = self._items.popleft()
                self._queued.discard(key)
                try:
                    process(key)
                except Exception:
                    log.exception("reconcile of %s failed; retrying in 1s", key)
                    self.add_after(key, 1.0)
                await asyncio.sleep(0)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


async def cancel_all(tasks: list["asyncio.Task[Any]"]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
