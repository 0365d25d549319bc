"""Shared state of one running operator: configuration, queues, and the wake-up signal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from .config import OperatorConfig
from .queues import QueueRegistry

logger = logging.getLogger("k8s_tasks_operator")


@dataclass
class Runtime:
    config: OperatorConfig
    queues: QueueRegistry = field(default_factory=QueueRegistry)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    last_status: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_reasons: dict[str, str] = field(default_factory=dict)
    launched: int = 0
    """Jobs this process created (the liveness endpoint reports it)."""
    last_pods: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """The last state of ending pods (Job name -> pod name -> pod) until their Job's outcome is written."""
    active_jobs: dict[str, set[str]] = field(default_factory=dict)
    """Unfinished Jobs per queue, as the Job watch last saw them."""
    jobs_listed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the Job watch has listed our Jobs: active_jobs is known, dispatch may start."""
    work: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    """The latest handling task per object (Job or pod name): an object's events are handled in order."""

    def track_job(self, job: dict[str, Any], active: bool) -> None:
        meta = job.get("metadata", {})
        queue = (meta.get("labels") or {}).get("k8stasks.io/queue")
        if not queue:
            return
        names = self.active_jobs.setdefault(queue, set())
        (names.add if active else names.discard)(meta.get("name", ""))

    def replace_active_jobs(
        self, jobs: list[dict[str, Any]], active: Callable[[dict[str, Any]], bool]
    ) -> None:
        """A full listing of our Jobs (at start, or after the watch lost its place) replaces the known."""
        self.active_jobs = {}
        for job in jobs:
            self.track_job(job, active=active(job))
        self.jobs_listed.set()

    def serially(self, key: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `work()` after any earlier work for the same object; errors are logged, never raised."""
        previous = self.work.get(key)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await work()
            except Exception:
                logger.exception("handling %s failed", key)

        task = asyncio.get_running_loop().create_task(run(), name=f"k8s-tasks-{key}")
        self.work[key] = task
        task.add_done_callback(lambda done: self.work.pop(key) if self.work.get(key) is done else None)

    def poke(self) -> None:
        """Ask the dispatch loop to look for work now (an enqueue, a finished Job, a new queue)."""
        self.wake.set()


async def blocking[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run database or Kubernetes client I/O in a worker thread."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def post_event(obj: dict[str, Any], reason: str, message: str, *, warning: bool = False) -> None:
    """A Kubernetes Event on `obj` (a Job, or a TaskQueue for a batch dispatched), so `kubectl describe`
    tells the story. Best effort: a failure to post is logged, never fatal."""
    from . import kube

    try:
        await blocking(kube.post_event, obj, "Warning" if warning else "Normal", reason, message)
    except Exception as exc:
        logger.warning("could not post event %s on %s: %s", reason, obj.get("metadata", {}).get("name"), exc)
