"""Watch streams: each watcher owns a queue; the store fans every change out to the matching ones."""

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, NamedTuple

from .objects import clone

Event = tuple[str, dict[str, Any]]


class Change(NamedTuple):
    """One stored change: the object after it (or as deleted) and before it (None when added)."""

    rv: int
    type: str  # ADDED / MODIFIED / DELETED
    obj: dict[str, Any]
    old: dict[str, Any] | None


class Watch:
    """An async iterator of (event_type, object). ``close()`` ends it; the store ends it on shutdown.

    With a selector, an object that starts matching arrives as ADDED and one that stops as DELETED,
    as kube-apiserver does. Objects are deep copies unless ``copy=False`` (the HTTP server only reads).
    """

    def __init__(
        self,
        namespace: str | None,
        match: Callable[[dict[str, Any]], bool] | None,
        on_close: Callable[["Watch"], None],
        *,
        copy: bool = True,
    ) -> None:
        """``match`` None: every object matches (no selector)."""
        self.namespace = namespace
        self._match = match
        self._on_close = on_close
        self._copy = copy
        self._queue: deque[Event | None] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False

    def offer(self, change: Change) -> None:
        """Called by the store for each change of this watch's resource type."""
        if self.closed:
            return
        if self.namespace is not None:
            ns = change.obj.get("metadata", {}).get("namespace")
            if ns != self.namespace:
                return
        if self._match is None:  # no selector: the change as it is
            self._push((change.type, clone(change.obj) if self._copy else change.obj))
            return
        now = self._match(change.obj)
        before = change.old is not None and self._match(change.old)
        if change.type == "DELETED":
            event = "DELETED" if now else None
        elif now and before:
            event = "MODIFIED"
        elif now:
            event = "ADDED"
        elif before:
            event = "DELETED"
        else:
            event = None
        if event is not None:
            self._push((event, clone(change.obj) if self._copy else change.obj))

    def _push(self, item: Event | None) -> None:
        self._queue.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._push(None)
            self._on_close(self)

    def pending(self) -> int:
        return len(self._queue)

    async def batch(self, wait: float) -> list[Event] | None:
        """Every event queued now, after waiting up to ``wait`` seconds for the first one: [] if none
        came, None once the watch is closed. A stream writes such a batch with one send."""
        if not self._queue:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(wait, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
        items: list[Event] = []
        queue = self._queue
        while queue:
            item = queue[0]
            if item is None:  # closed: end after what came before (the marker stays for the next call)
                return items or None
            items.append(item)
            queue.popleft()
        return items

    def __aiter__(self) -> "Watch":
        return self

    async def __anext__(self) -> Event:
        while not self._queue:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        item = self._queue.popleft()
        if item is None:
            raise StopAsyncIteration
        return item


def _wake(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)
