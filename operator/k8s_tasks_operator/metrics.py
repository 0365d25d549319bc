"""The operator's Prometheus metrics, in a registry of its own, and the HTTP server that serves them.

Counters are counted by the small functions below, called where the thing happened (a Job created, an
outcome written, a failed watch); the gauges are read when Prometheus scrapes: Jobs in flight from the
Runtime, task counts from the last reconcile. Labels stay few: a queue, never a task."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from .runtime import Runtime

REGISTRY = CollectorRegistry()
"""Only the operator's own metrics (and its process's), not prometheus_client's global default."""

JOBS_CREATED = Counter(
    "k8s_tasks_jobs_created",
    "Jobs this operator created: one per attempt of a task it dispatched (an adopted Job is not counted).",
    ["queue"],
    registry=REGISTRY,
)
TASK_OUTCOMES = Counter(
    "k8s_tasks_task_outcomes",
    "Outcomes this operator wrote for tasks whose pod wrote none (the Job failed, the pod never started, "
    "the task was cancelled): outcome failed or retried, reason the exception class, e.g. PodOOMKilled.",
    ["queue", "outcome", "reason"],
    registry=REGISTRY,
)
WATCH_ERRORS = Counter(
    "k8s_tasks_watch_errors",
    "Failed lists or watches of the operator's Jobs or Pods (kind jobs or pods); each is retried after a "
    "backoff.",
    ["kind"],
    registry=REGISTRY,
)
DISPATCH_SECONDS = Histogram(
    "k8s_tasks_dispatch_seconds",
    "Seconds one dispatch pass took: claiming the READY rows of every queue and creating their Jobs.",
    registry=REGISTRY,
)
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, process_cpu_seconds_total, ...

_queue_counts: dict[str, dict[str, int]] = {}
"""Per queue name, the task counts of the last TaskQueue status refresh (replaced whole, never changed)."""


def job_created(queue: str) -> None:
    JOBS_CREATED.labels(queue).inc()


def task_outcome(queue: str, outcome: str, reason: str) -> None:
    """`outcome` is "failed" or "retried"; `reason` the exception class name (Outcome.kind)."""
    TASK_OUTCOMES.labels(queue, outcome, reason).inc()


def watch_error(kind: str) -> None:
    WATCH_ERRORS.labels(kind).inc()


def set_queue_counts(counts: dict[str, dict[str, int]]) -> None:
    """The counts the reconcile loop computed for the TaskQueue statuses, per queue name."""
    global _queue_counts
    _queue_counts = {queue: dict(by_status) for queue, by_status in counts.items()}


P = ParamSpec("P")  # Python 3.11 has no def f[**P, R]
R = TypeVar("R")


def timed_dispatch(
    fn: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Observe how long each call of the dispatch pass `fn` takes."""

    @functools.wraps(fn)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            DISPATCH_SECONDS.observe(time.perf_counter() - start)

    return timed


STATUSES = ("ready", "running", "succeeded", "failed")


class RuntimeCollector(Collector):
    """The gauges, read at scrape time (on the HTTP server's thread: only whole-dict copies are read)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        tasks = GaugeMetricFamily(
            "k8s_tasks_queue_tasks",
            "Tasks per queue and status, as in the TaskQueue status: ready and running in full, "
            "succeeded and failed within the last hour.",
            labels=["queue", "status"],
        )
        for queue, by_status in sorted(_queue_counts.items()):
            for status in STATUSES:
                tasks.add_metric([queue, status], by_status.get(status, 0))
        active = GaugeMetricFamily(
            "k8s_tasks_active_jobs",
            "Unfinished Jobs per queue, as the operator's Job watch last saw them.",
            labels=["queue"],
        )
        for queue, names in sorted(dict(self.rt.jobs.active).items()):
            active.add_metric([queue], len(names))
        yield tasks
        yield active


@dataclass
class Endpoint:
    """The running /metrics server; close() stops it."""

    server: WSGIServer
    thread: threading.Thread
    collector: RuntimeCollector

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        REGISTRY.unregister(self.collector)


def serve(address: tuple[str, int], rt: Runtime) -> Endpoint:
    """Serve the metrics at http://HOST:PORT/metrics on a daemon thread (OSError if the port is taken)."""
    disable_created_metrics()  # no *_created series beside each counter: this process's counters only
    collector = RuntimeCollector(rt)
    REGISTRY.register(collector)
    host, port = address
    try:
        server, thread = start_http_server(port, host, registry=REGISTRY)
    except BaseException:
        REGISTRY.unregister(collector)
        raise
    return Endpoint(server, thread, collector)
