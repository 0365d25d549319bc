"""Shared state of one running operator: configuration, what it observes, and its work queue."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .classify import Outcome
from .config import OperatorConfig
from .jobcache import JobCache
from .queues import QueueRegistry
from .served import Served
from .workqueue import WorkQueue

logger = logging.getLogger("k8s_tasks_operator")
T = TypeVar("T")  # Python 3.11 has no def f[T]

TaskKey = tuple[str, str]
"""(database alias, task id): the unit of work. Everything about one task is decided by one handler."""


@dataclass(frozen=True)
class PodNews:
    """What a waiting pod of a task's current Job shows: why it waits, or why it can never start."""

    reason: str | None
    hopeless: Outcome | None


@dataclass
class Runtime:
    config: OperatorConfig
    served: Served = field(default_factory=lambda: Served({"default": "default"}, {"default": "default"}))
    queues: QueueRegistry = field(default_factory=QueueRegistry)
    queues_loaded: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the TaskQueues have been listed: no decision needing a profile is taken before."""
    jobs: JobCache = field(default_factory=lambda: JobCache("default"))
    work: WorkQueue[TaskKey] | None = None
    """Set by start_work(): every task that may need something done is queued here by its key."""
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    last_status: dict[str, dict[str, Any]] = field(default_factory=dict)
    launched: int = 0
    """Jobs this process created (the liveness endpoint reports it)."""
    last_pods: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """The last state of ending pods (Job name -> pod name -> pod) until their Job's outcome is written."""
    ended: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Finished Jobs (by name) as their watch event showed them, until their task's handler has run."""
    waiting: dict[str, PodNews] = field(default_factory=dict)
    """Per Job name: its pod waits for a reason worth writing, or can never start."""
    policies_checked: bool = False
    """Our NetworkPolicies were listed since start and since the last TaskQueue change."""
    isolated_by: dict[str, str] = field(default_factory=dict)
    """Per isolated queue: the NetworkPolicy that isolates it, once confirmed; until then it waits."""
    handed: set[str] = field(default_factory=set)
    """Job names of sealed tasks whose Secret this process has made (or found made)."""
    cancel_tails: dict[str, str] = field(default_factory=dict)
    """Per Job name of a cancelled running task: its log's tail, read before the Job was deleted."""
    started: dict[str, str] = field(default_factory=dict)
    """Per Job name of a sealed task: the pod that started running it (the operator marks the row)."""
    stale_since: dict[str, float] = field(default_factory=dict)
    """Per Job name: since when (monotonic) the Job runs on although its row has moved on or is gone."""
    queue_blocked_until: dict[str, float] = field(default_factory=dict)
    """Per queue: no dispatch before this monotonic time (the API refused Jobs for quota: backing off)."""
    quota_streak: dict[str, int] = field(default_factory=dict)
    """Per queue: Job creates refused for quota in a row (the backoff grows with it)."""
    resync_wanted: asyncio.Event = field(default_factory=asyncio.Event)
    """Set to run the resync now (after a listing of Jobs), not at its next period."""
    resyncs: int = 0
    pruned: int = 0
    """Finished rows deleted by --prune-after since start."""
    passes: int = 0
    reconciles: int = 0
    """Passes of the periodic steps (cancellations, pending limits, statuses)."""
    """Passes of the main loop (dispatch, and the periodic steps when due): the liveness probe shows it."""

    def __post_init__(self) -> None:
        self.jobs = JobCache(self.config.namespace)
        self.queues.pod_security = self.config.pod_security

    def start_work(self, handler: Callable[[TaskKey], Any], workers: int = 16) -> WorkQueue[TaskKey]:
        self.work = WorkQueue(handler, workers=workers, name="task")
        return self.work

    def enqueue(self, key: TaskKey, after: float = 0.0) -> None:
        """Ask for the task's handler to run (now, or in `after` seconds)."""
        if self.work is not None:
            self.work.add(key, after)

    def key_of(self, task_id: str, backend: str) -> TaskKey:
        return self.served.database_of(backend), task_id

    def serves(self, backend: str) -> bool:
        """Jobs of a backend this operator does not serve belong to another operator: hands off."""
        return not backend or backend in self.served.backends

    def resync_now(self) -> None:
        self.resync_wanted.set()

    def poke(self) -> None:
        """Ask the dispatch loop to look for work now (an enqueue, a finished Job, a new queue)."""
        self.wake.set()

    def queue_blocked(self, queue: str) -> bool:
        return self.queue_blocked_until.get(queue, 0.0) > time.monotonic()


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
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
