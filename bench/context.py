"""What every scenario shares: the database in use, the child-process environment, sizes, and helpers
to start our stack (cluster + operator) or the peer's worker, and to pace or await work."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .procs import Cluster, Operator, PeerWorker, cpu_seconds, wait_for
from .steps import step

FINISHING = {
    "concurrency": 1000,
    "nodeSelector": {"pool": "general"},
    "annotations": {"k8s-tasks.io/fake-seconds": "0.2"},  # the fake runtime ends these pods at once
}


@dataclass(frozen=True)
class Sizes:
    repetitions: int = 5
    dispatch: int = 10_000  # READY tasks per dispatch run (then RSS with these Jobs in flight)
    inflight: int = 1000  # the "1k Jobs in flight" state, and the drain on an empty / a full table
    peer_drain: int = 300  # tasks per run of the peer's one worker
    qps_tasks: int = 150  # tasks per run under the 20 QPS client limit (~300 writes: 10x the burst)
    enqueue_sequential: int = 2000
    enqueue_atomic: int = 500
    latency_rates: tuple[tuple[float, float], ...] = ((10.0, 2.0), (50.0, 1.0))  # (tasks/s, seconds)
    writeback_tasks: int = 10
    ready_backlogs: tuple[int, ...] = (10_000, 100_000)
    finished_rows: int = 200_000
    resync_seconds: float = 30.0  # the dispatch run's operator: its resync period (the default)
    resync_window: float = 60.0  # then, settled with `dispatch` Jobs in flight: the resync cost's window
    sealed_dispatch: int = 2000  # READY tasks dispatched on the sealed queue, and as many on the direct one
    sealed_latency: tuple[float, float] = (2.0, 15.0)  # (tasks/s, seconds) per queue, real task processes


QUICK = Sizes(
    repetitions=2,
    dispatch=300,
    inflight=100,
    peer_drain=50,
    qps_tasks=40,
    enqueue_sequential=200,
    enqueue_atomic=50,
    latency_rates=((10.0, 1.0), (50.0, 1.0)),
    writeback_tasks=5,
    ready_backlogs=(1000, 5000),
    finished_rows=10_000,
    resync_seconds=2.0,
    resync_window=6.0,
    sealed_dispatch=200,
    sealed_latency=(2.0, 3.0),
)
"""A smoke run of every scenario (bench.run --quick): minutes less, numbers not worth publishing."""


@dataclass
class Context:
    database: str
    env: dict[str, str]
    workdir: Path
    sizes: Sizes

    def ours_first(self, repetition: int) -> bool:
        """Interleave: ours then the peer's on even repetitions, the other way round on odd ones."""
        return repetition % 2 == 0

    @contextlib.contextmanager
    def ours(
        self, concurrency: int = 10_000, *, qps: float | None = None, resync_seconds: float | None = None
    ) -> Iterator[tuple[Cluster, Operator]]:
        """A fresh local cluster (fake runtime, pods run an hour unless told otherwise) and a fresh
        operator serving the queues "default" (given concurrency) and "finishing" (given `resync_seconds`:
        resyncing at that period and logging every pass, see bench.resync_operator)."""
        with self.cluster("ours") as cluster:
            operator: Operator | None = None
            try:
                with step("operator started"):
                    cluster.make_queue("default", concurrency=concurrency, nodeSelector={"pool": "general"})
                    cluster.make_queue("finishing", **FINISHING)
                    operator = Operator(
                        cluster,
                        self.env,
                        cluster.kubeconfig.parent / "operator.log",
                        qps=qps,
                        resync_seconds=resync_seconds,
                    )
                    operator.wait_ready(cluster, "default")
                    operator.wait_ready(cluster, "finishing")
                yield cluster, operator
            finally:
                if operator is not None:
                    with step("operator stopped"):
                        operator.stop()

    @contextlib.contextmanager
    def cluster(self, prefix: str, **options: Any) -> Iterator[Cluster]:
        """A fresh local cluster (bench.cluster_proc, fake runtime unless `options` say: see Cluster),
        stopped afterwards."""
        with step("cluster started"):
            cluster = Cluster(Path(self._fresh_dir(prefix)), self.env, **options)
        try:
            yield cluster
        finally:
            with step("cluster stopped"):
                cluster.stop()

    @contextlib.contextmanager
    def peer(self) -> Iterator[PeerWorker]:
        """django-tasks-db's db_worker (one worker, default 1 s poll), proven running by one task."""
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from .tasks import peer_noop

        worker = PeerWorker(self.env, Path(self._fresh_dir("peer")) / "worker.log")
        try:
            warm = peer_noop.enqueue()
            with step("peer's worker started"):
                wait_for(
                    lambda: (
                        DBTaskResult.objects.filter(pk=warm.id, status=TaskResultStatus.SUCCESSFUL).exists()
                        or not worker.alive()
                    ),
                    timeout=60,
                    what="the peer's db_worker to run a first task",
                )
            if not worker.alive():
                raise SystemExit(f"db_worker exited:\n{worker.tail()}")
            yield worker
        finally:
            worker.stop()

    def _fresh_dir(self, prefix: str) -> str:
        import tempfile

        return tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.workdir)


def pace(enqueue: Callable[[], Any], rate: float, seconds: float) -> list[tuple[Any, float]]:
    """Call `enqueue` at `rate` a second for `seconds` (open loop: on a schedule, not after the previous
    one); returns (what it returned, time.time() just before the call)."""
    count = round(rate * seconds)
    start = time.time()
    offered = []
    for i in range(count):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)  # the load generator's schedule, not a wait for a condition
        stamp = time.time()
        offered.append((enqueue(), stamp))
    return offered


def cpu_percent(pid: int, seconds: float = 1.0) -> float:
    """CPU use of a process over the next `seconds` (100 = one core)."""
    before, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)  # a measurement window
    return 100 * (cpu_seconds(pid) - before) / (time.monotonic() - start)
