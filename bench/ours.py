"""Our side of each scenario: the real operator against the local cluster (fake runtime), on the
benchmark database. Jobs created and finished are timed by the cluster (bench.cluster_proc)."""

from __future__ import annotations

import time
from typing import Any

from django.tasks import TaskResultStatus

from k8s_tasks.bulk import enqueue_many
from k8s_tasks.models import TaskRecord

from . import rows
from .context import Context, cpu_percent, pace, settle
from .procs import Cluster, rss_mb, wait_for
from .tasks import noop

WRITES = ("POST", "PUT", "PATCH", "DELETE")
FINAL = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def writes(requests: dict[str, int]) -> int:
    return sum(n for key, n in requests.items() if key.split()[0] in WRITES)


def drain(cluster: Cluster, count: int, timeout: float = 600) -> dict[str, Any]:
    """enqueue_many `count` tasks (one INSERT and a NOTIFY); wait for all their Jobs; then for the API
    requests to settle. Returns {"rate": Jobs/s from the commit to the last Job, "writes_per_task"}."""
    cluster.reset()
    results = enqueue_many(noop, [((i,), {}) for i in range(count)])
    committed = time.time()
    ids = {r.id for r in results}

    def created() -> dict[str, float]:
        stamps: dict[str, float] = cluster.stats()["created"]
        return stamps if ids <= stamps.keys() else {}

    stamps = wait_for(created, timeout=timeout, what=f"{count} Jobs", interval=0.25)
    last = max(stamps[i] for i in ids)
    requests = settle(lambda: cluster.stats()["requests"], quiet=2.5)  # Events trail the Jobs
    return {
        "rate": count / (last - committed),
        "writes_per_task": writes(requests) / count,
        "requests": requests,
    }


def latencies(cluster: Cluster, rate: float, seconds: float) -> list[float]:
    """Enqueue at `rate`/s for `seconds`; each task's time from enqueue() to its Job's creation, in ms."""
    offered = pace(lambda: noop.enqueue().id, rate, seconds)
    ids = {task_id for task_id, _ in offered}
    stamps = wait_for(
        lambda: (s := cluster.stats()["created"]) and ids <= s.keys() and s,
        timeout=120,
        what=f"the Jobs of {len(ids)} paced tasks",
        interval=0.25,
    )
    return [1000 * (stamps[task_id] - sent) for task_id, sent in offered]


def writeback(cluster: Cluster, count: int) -> list[float]:
    """Tasks on the "finishing" queue (fake pods end after 0.2 s, writing nothing): from the Job-finished
    event (cluster clock) to the row the operator wrote (its finished_at), in ms."""
    offered = pace(lambda: noop.using(queue_name="finishing").enqueue().id, 10.0, count / 10.0)
    ids = [task_id for task_id, _ in offered]
    wait_for(
        lambda: TaskRecord.objects.filter(pk__in=ids, status__in=FINAL).count() == len(ids),
        timeout=120,
        what=f"the operator to write {len(ids)} finished tasks",
        interval=0.25,
    )
    finished = cluster.stats()["finished"]
    rows_by_id = TaskRecord.objects.in_bulk(ids)
    return [1000 * (rows_by_id[i].finished_at.timestamp() - finished[i]) for i in ids]  # type: ignore[union-attr]


def main_run(ctx: Context) -> dict[str, Any]:
    """Dispatch N READY tasks, then paced latency, then write-back; RSS idle and with N Jobs in flight."""
    rows.clear()
    with ctx.ours() as (cluster, operator):
        out: dict[str, Any] = {"rss_idle": rss_mb(operator.pid)}
        out |= drain(cluster, ctx.sizes.dispatch)
        out["rss_inflight"] = rss_mb(operator.pid)
        out["cpu_inflight"] = cpu_percent(operator.pid)
        for rate, seconds in ctx.sizes.latency_rates:
            out[f"latency_{rate:g}"] = latencies(cluster, rate, seconds)
        out["writeback"] = writeback(cluster, ctx.sizes.writeback_tasks)
    return out


def qps_run(ctx: Context, qps: float = 20.0) -> dict[str, Any]:
    rows.clear()
    with ctx.ours(qps=qps) as (cluster, _):
        return drain(cluster, ctx.sizes.qps_tasks)


def backlog_run(ctx: Context) -> dict[str, Any]:
    """Concurrency 0 (nothing dispatched): RSS and CPU idle, with 10k and with 100k READY rows; then
    200k finished rows, concurrency back up, and the drain rate of N tasks."""
    rows.clear()
    out: dict[str, Any] = {}
    with ctx.ours(concurrency=0) as (cluster, operator):
        wait = 1.5 * float(ctx.env.get("K8S_TASKS_POLL_SECONDS", "1.0"))
        out["rss_backlog_0"], out["cpu_backlog_0"] = rss_mb(operator.pid), cpu_percent(operator.pid)
        total = 0
        for backlog in ctx.sizes.ready_backlogs:
            rows.insert_ours(backlog - total)
            total = backlog
            time.sleep(wait)  # let the operator poll the backlog a few times before measuring
            out[f"cpu_backlog_{backlog}"] = cpu_percent(operator.pid)
            out[f"rss_backlog_{backlog}"] = rss_mb(operator.pid)
        rows.clear()
        rows.insert_ours(ctx.sizes.finished_rows, status="SUCCESSFUL")
        cluster.set_concurrency(10_000)
        time.sleep(1.0)  # the operator sees the patched TaskQueue through its watch
        drained = drain(cluster, ctx.sizes.dispatch)
        out["rate_full_table"] = drained["rate"]
    return out
