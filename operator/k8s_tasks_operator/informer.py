"""A lean list-and-watch of our Jobs and Pods, feeding their events to the operator's event loop.

kopf serves the TaskQueues (a handful of objects). Jobs and Pods come in thousands and need none of kopf's
per-object machinery (diff bases, progress storage, a worker task per object): in a 1,000-Job dispatch that
machinery was ~45% of the operator's CPU (py-spy, bench). So each kind gets one thread that lists, then
watches from the list's resourceVersion (with bookmarks), re-watches when the server ends the watch,
re-lists on 410 Gone, and backs off on errors. The thread only reads and parses; every event is handled on
the event loop, in arrival order, by plain functions (writeback.job_event / pod_event).
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable
from typing import Any

from kubernetes.client.exceptions import ApiException

from . import kube, metrics
from .runtime import logger

Obj = dict[str, Any]
BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0)
WATCH_SECONDS = 300


class GoneError(Exception):
    """The watch's resourceVersion is too old (410): list again."""


class Informer:
    """One kind ("jobs" or "pods") of objects labelled as ours, in one namespace.

    `on_list(items)` gets the full listing (first, and again after a 410), `on_event(type, obj)` every
    ADDED/MODIFIED/DELETED after it; both run on `loop`.
    """

    def __init__(
        self,
        kind: str,
        namespace: str,
        loop: asyncio.AbstractEventLoop,
        on_list: Callable[[list[Obj]], None],
        on_event: Callable[[str, Obj], None],
    ) -> None:
        self.kind, self.namespace, self.loop = kind, namespace, loop
        self.on_list, self.on_event = on_list, on_event
        self.stop = threading.Event()
        self._pending: collections.deque[tuple[str, Any]] = collections.deque()
        self._scheduled = False
        self.thread = threading.Thread(target=self._run, name=f"k8s-tasks-watch-{kind}", daemon=True)

    def start(self) -> Informer:
        self.thread.start()
        return self

    def _run(self) -> None:
        version: str | None = None
        failures = 0
        while not self.stop.is_set():
            try:
                if version is None:
                    items, version = kube.list_managed(self.kind, self.namespace)
                    self._deliver("LIST", items)
                version = self._watch(version)
                failures = 0
            except GoneError:
                version = None
            except ApiException as exc:
                if exc.status == 410:
                    version = None
                    continue
                failures = self._backoff(failures, exc)
            except Exception as exc:  # connection refused or reset, a read timeout: keep watching
                failures = self._backoff(failures, exc)

    def _watch(self, version: str) -> str:
        """Deliver events until the server ends the watch; return the resourceVersion to resume from."""
        for event in kube.watch_managed(self.kind, self.namespace, version, WATCH_SECONDS):
            if self.stop.is_set():
                break
            kind, obj = event.get("type", ""), event.get("object") or {}
            if kind == "ERROR":
                if obj.get("code") == 410:
                    raise GoneError(obj.get("message", ""))
                raise RuntimeError(f"watch of {self.kind} failed: {obj.get('message', obj)}")
            version = (obj.get("metadata") or {}).get("resourceVersion") or version
            if kind != "BOOKMARK":
                self._deliver(kind, obj)
        return version

    def _backoff(self, failures: int, exc: Exception) -> int:
        delay = BACKOFF[min(failures, len(BACKOFF) - 1)]
        metrics.watch_error(self.kind)
        logger.warning("watching %s failed (%s); again in %.1fs", self.kind, exc, delay)
        self.stop.wait(delay)
        return failures + 1

    def _deliver(self, kind: str, payload: Any) -> None:
        """Hand an event to the loop. One wake-up serves every event queued before it runs."""
        self._pending.append((kind, payload))
        if not self._scheduled:
            self._scheduled = True
            try:
                self.loop.call_soon_threadsafe(self._drain)
            except RuntimeError:  # the loop is closed: the operator is shutting down
                self.stop.set()

    def _drain(self) -> None:
        self._scheduled = False  # before popping: an event appended from now on schedules a new drain
        while self._pending:
            kind, payload = self._pending.popleft()
            try:
                if kind == "LIST":
                    self.on_list(payload)
                else:
                    self.on_event(kind, payload)
            except Exception:
                logger.exception("handling a %s event of %s failed", kind, self.kind)
