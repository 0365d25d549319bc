"""Our side of each scenario: the real operator against the local cluster (fake runtime), on the
benchmark database. Jobs created and finished are timed by the cluster (bench.cluster_proc)."""

from __future__ import annotations

import time
from typing import Any

from django.tasks import TaskResultStatus

from k8s_tasks.bulk import enqueue_many
from k8s_tasks.models import TaskRecord
from k8s_tasks_operator.db import CLAIM_BATCH

from . import resync_cost, rows
from .context import Context, cpu_percent, pace
from .counts import events_caught_up, last_task_write, writes
from .procs import Cluster, Operator, rss_mb, wait_for, wait_until
from .quiet import Settled, wait_quiet
from .steps import log, step
from .tasks import noop

FINAL = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def settle(cluster: Cluster, operator: Operator, jobs: int = 0, timeout: float = 180.0) -> Settled:
    """Until the operator is quiet (request counts unchanged, CPU < 10 % over 2 windows of 0.5 s) with
    `jobs` Jobs and their batches' Dispatched Events posted; quiet for 10 s without them also ends it (an
    operator that posts no Events). The value is the request counts."""
    settled = wait_quiet(
        operator.pid,
        lambda: cluster.counts()["requests"],
        until=lambda requests: events_caught_up(requests, jobs, CLAIM_BATCH),
        timeout=timeout,
    )
    if not settled.quiet or not settled.until_met:
        log(f"  operator not settled after {settled.seconds:.0f}s (events caught up: {settled.until_met})")
    return settled


def drain(
    cluster: Cluster, operator: Operator, count: int, *, settled: bool = True, timeout: float = 900
) -> dict[str, Any]:
    """enqueue_many `count` tasks (one INSERT and a NOTIFY); wait for all their Jobs; then (if `settled`)
    for the operator to settle, the trailing Events in. {"rate": Jobs/s from the commit to the last Job;
    if settled: "written_rate" (tasks/s from the commit to the last Job or Event posted),
    "writes_per_task", "requests", "settle_seconds" (from the last Job), "settled", "events_caught_up"}."""
    cluster.reset()
    with step(f"enqueue_many({count})"):
        results = enqueue_many(noop, [((i,), {}) for i in range(count)])
    committed = time.time()
    ids = {r.id for r in results}
    with step(f"{count} Jobs created"):
        stamps = cluster.created(ids, timeout=timeout, what=f"{count} Jobs")
    last = max(stamps[i] for i in ids)
    rate = count / (last - committed)
    if not settled:
        return {"rate": rate}
    with step("operator settled"):
        quiet = settle(cluster, operator, count)
    requests: dict[str, int] = quiet.value
    return {
        "rate": rate,
        "written_rate": count / (last_task_write(cluster.counts()["last_write"]) - committed),
        "writes_per_task": writes(requests) / count,
        "requests": requests,
        "settle_seconds": time.time() - last,
        "settled": quiet.quiet,
        "events_caught_up": quiet.until_met,
    }


def finished(ids: list[str], what: str) -> None:
    """Wait until the operator has written every one of these tasks' outcomes."""
    wait_for(
        lambda: TaskRecord.objects.filter(pk__in=ids, status__in=FINAL).count() == len(ids),
        timeout=120,
        what=f"the operator to write {len(ids)} finished {what}",
        interval=0.1,
    )


def latencies(cluster: Cluster, rate: float, seconds: float) -> list[float]:
    """Enqueue at `rate`/s for `seconds` on the "finishing" queue; each task's time from enqueue() to its
    Job's creation, in ms. Waits until their outcomes are written too, so no Job is left in flight."""
    offered = pace(lambda: noop.using(queue_name="finishing").enqueue().id, rate, seconds)
    ids = [task_id for task_id, _ in offered]
    stamps = cluster.created(set(ids), timeout=120, what=f"the Jobs of {len(ids)} paced tasks")
    finished(ids, "paced tasks")
    return [1000 * (stamps[task_id] - sent) for task_id, sent in offered]


def writeback(cluster: Cluster, count: int) -> list[float]:
    """Tasks on the "finishing" queue (fake pods end after 0.2 s, writing nothing): from the Job-finished
    event (cluster clock) to the row the operator wrote (its finished_at), in ms."""
    offered = pace(lambda: noop.using(queue_name="finishing").enqueue().id, 10.0, count / 10.0)
    ids = [task_id for task_id, _ in offered]
    finished(ids, "tasks")
    ended = cluster.stats()["finished"]
    rows_by_id = TaskRecord.objects.in_bulk(ids)
    return [1000 * (rows_by_id[i].finished_at.timestamp() - ended[i]) for i in ids]  # type: ignore[union-attr]


def idle(cluster: Cluster, operator: Operator) -> None:
    """Before a load starts: the operator quiet (what it did before is not measured as latency)."""
    settle(cluster, operator, timeout=60)


def dispatch_run(ctx: Context) -> dict[str, Any]:
    """A fresh stack: N (10k) READY tasks dispatched; then, settled, RSS and CPU with N Jobs in flight, and
    the resync's cost over a window of several resync periods (bench.resync_cost)."""
    rows.clear()
    period = ctx.sizes.resync_seconds
    with ctx.ours(resync_seconds=period) as (cluster, operator):
        out = drain(cluster, operator, ctx.sizes.dispatch)
        out["rss_inflight"] = rss_mb(operator.pid)
        out["cpu_inflight"] = cpu_percent(operator.pid)
        with step(f"resync cost over {ctx.sizes.resync_window:g}s (resync every {period:g}s)"):
            out["resync"] = resync_cost.measure(cluster, operator, ctx.sizes.resync_window, period)
    return out


def latency_run(ctx: Context) -> dict[str, Any]:
    """A fresh stack, idle before each load: paced latency at each rate, write-back; then exactly 1k Jobs
    dispatched (the empty-table drain rate) and, settled, RSS and CPU with those 1k Jobs in flight."""
    rows.clear()
    with ctx.ours() as (cluster, operator):
        out: dict[str, Any] = {"rss_idle": rss_mb(operator.pid)}
        for rate, seconds in ctx.sizes.latency_rates:
            idle(cluster, operator)
            with step(f"latency at {rate:g}/s"):
                out[f"latency_{rate:g}"] = latencies(cluster, rate, seconds)
        idle(cluster, operator)
        with step("write-back"):
            out["writeback"] = writeback(cluster, ctx.sizes.writeback_tasks)
        idle(cluster, operator)
        drained = drain(cluster, operator, ctx.sizes.inflight)
        out["rate_inflight"] = drained["rate"]
        out["writes_per_task_inflight"] = drained["writes_per_task"]
        out["rss_inflight"] = rss_mb(operator.pid)
        out["cpu_inflight"] = cpu_percent(operator.pid)
    return out


def qps_run(ctx: Context, qps: float = 20.0) -> dict[str, Any]:
    rows.clear()
    with ctx.ours(qps=qps) as (cluster, operator):
        return drain(cluster, operator, ctx.sizes.qps_tasks)


def counted(cluster: Cluster, ready: int, timeout: float = 30.0) -> bool:
    """Whether the operator reported `ready` READY rows on the default TaskQueue within `timeout` s."""
    return wait_until(lambda: cluster.queue_status().get("ready") == ready, timeout=timeout)


def backlog_run(ctx: Context) -> dict[str, Any]:
    """Concurrency 0 (nothing dispatched): RSS and CPU idle, with 10k and with 100k READY rows, each once
    the operator has counted the backlog (the TaskQueue status it reports shows it)."""
    rows.clear()
    out: dict[str, Any] = {}
    with ctx.ours(concurrency=0) as (cluster, operator):
        out["rss_backlog_0"], out["cpu_backlog_0"] = rss_mb(operator.pid), cpu_percent(operator.pid)
        total = 0
        for backlog in ctx.sizes.ready_backlogs:
            rows.insert_ours(backlog - total)
            total = backlog
            with step(f"operator counted {backlog} READY"):
                seen = counted(cluster, total)
            if not seen:
                log(f"  the TaskQueue status never showed {total} READY rows; measured anyway")
            out[f"backlog_seen_{backlog}"] = seen
            out[f"cpu_backlog_{backlog}"] = cpu_percent(operator.pid)
            out[f"rss_backlog_{backlog}"] = rss_mb(operator.pid)
    return out


def warm_up(cluster: Cluster, operator: Operator, count: int) -> None:
    """`count` tasks on the "finishing" queue run through and written back, then the operator settled: its
    code paths and connections warm, as they are after latency_run's paced tasks."""
    ids = [noop.using(queue_name="finishing").enqueue().id for _ in range(count)]
    finished(ids, "warm-up tasks")
    idle(cluster, operator)


def full_table_run(ctx: Context) -> dict[str, Any]:
    """A fresh stack over a table holding the finished rows (the runner inserts them once for every
    repetition and deletes the rest after each), warmed up: the drain rate of 1k tasks, as latency_run's
    on the empty table."""
    with ctx.ours() as (cluster, operator):
        with step("warm-up"):
            warm_up(cluster, operator, ctx.sizes.writeback_tasks)
        return {"rate_full_table": drain(cluster, operator, ctx.sizes.inflight, settled=False)["rate"]}
