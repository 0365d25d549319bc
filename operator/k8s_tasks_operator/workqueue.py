"""A work queue of keys to reconcile, as Kubernetes controllers use (client-go's rate-limited workqueue).

- A key is queued at most once at a time; a key added while it is being handled is handled again after.
- One key is never handled by two workers at once, so the work for one task is serial.
- A handler that raises is retried after an exponential backoff (per key), never dropped; success resets it.
- ``add(key, after=seconds)`` re-queues later (to check again once a grace period has passed).

Keys carry no payload: the handler reads the current state (the row, the Job cache) each time, so
running it twice, or late, does no harm. Workers start with ``start()``; keys added before wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

logger = logging.getLogger("k8s_tasks_operator")


class WorkQueue(Generic[K]):
    def __init__(
        self,
        handler: Callable[[K], Awaitable[None]],
        *,
        workers: int = 16,
        backoff: tuple[float, ...] = BACKOFF,
        name: str = "work",
    ) -> None:
        self.handler, self.backoff, self.name = handler, backoff, name
        self.workers = workers
        self._queue: asyncio.Queue[K] = asyncio.Queue()
        self._queued: set[K] = set()
        self._running: set[K] = set()
        self._again: set[K] = set()
        self._failures: dict[K, int] = {}
        self._later: dict[K, asyncio.TimerHandle] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.handled = 0
        self.retried = 0

    def __len__(self) -> int:
        return len(self._queued) + len(self._running)

    def start(self) -> None:
        if self._tasks:
            return
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._work(), name=f"k8s-tasks-{self.name}-{n}") for n in range(self.workers)
        ]

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for handle in self._later.values():
            handle.cancel()
        self._tasks, self._later = [], {}

    def add(self, key: K, after: float = 0.0) -> None:
        """Queue `key` now, or in `after` seconds (an earlier add wins over a later one)."""
        if after > 0:
            if key in self._queued or key in self._later:
                return
            self._later[key] = asyncio.get_running_loop().call_later(after, self._due, key)
            return
        handle = self._later.pop(key, None)
        if handle is not None:
            handle.cancel()
        if key in self._running:
            self._again.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            self._queue.put_nowait(key)

    def failures(self, key: K) -> int:
        return self._failures.get(key, 0)

    def _due(self, key: K) -> None:
        self._later.pop(key, None)
        self.add(key)

    async def _work(self) -> None:
        while True:
            key = await self._queue.get()
            self._queued.discard(key)
            self._running.add(key)
            try:
                await self.handler(key)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures = self._failures.get(key, 0)
                delay = self.backoff[min(failures, len(self.backoff) - 1)]
                self._failures[key] = failures + 1
                self.retried += 1
                log = logger.warning if failures < 3 else logger.error
                log(
                    "%s %s failed (%s: %s); retrying in %.1fs", self.name, key, type(exc).__name__, exc, delay
                )
                if failures == 0:
                    logger.debug("%s %s failed", self.name, key, exc_info=True)
                self._running.discard(key)
                self._again.discard(key)
                self.add(key, after=delay)
                continue
            else:
                self._failures.pop(key, None)
                self.handled += 1
            finally:
                self._queue.task_done()
            self._running.discard(key)
            if key in self._again:
                self._again.discard(key)
                self.add(key)
