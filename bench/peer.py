"""The peer's side of each scenario: django-tasks-db's one db_worker on the same database."""

from __future__ import annotations

import time
from typing import Any

from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import rows
from .context import Context, cpu_percent, pace
from .procs import PeerWorker, rss_mb, wait_for
from .tasks import peer_noop, peer_stamp

FINAL = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def drain(worker: PeerWorker, count: int) -> float:
    """Insert `count` READY rows in one statement; tasks/s from the commit to the last one finished."""
    since = rows.insert_peer(count)
    committed = time.time()
    batch = DBTaskResult.objects.filter(enqueued_at=since, status__in=FINAL)
    wait_for(
        lambda: batch.count() == count, timeout=600, what=f"db_worker to run {count} tasks", interval=0.25
    )
    last = max(batch.values_list("finished_at", flat=True))
    return count / (last.timestamp() - committed)


def latencies(rate: float, seconds: float) -> list[float]:
    """Enqueue at `rate`/s; each task's time from enqueue() to its start (started_at), in ms."""
    offered = pace(lambda: peer_noop.enqueue().id, rate, seconds)
    ids = [task_id for task_id, _ in offered]
    wait_for(
        lambda: DBTaskResult.objects.filter(pk__in=ids, status__in=FINAL).count() == len(ids),
        timeout=120,
        what=f"db_worker to run {len(ids)} paced tasks",
        interval=0.25,
    )
    started = dict(DBTaskResult.objects.filter(pk__in=ids).values_list("id", "started_at"))
    return [1000 * (started[_uuid(task_id)].timestamp() - sent) for task_id, sent in offered]


def writeback(count: int) -> list[float]:
    """From the end of the task function (its return value) to the row's finished_at, in ms."""
    ids = [task_id for task_id, _ in pace(lambda: peer_stamp.enqueue().id, 10.0, count / 10.0)]
    wait_for(
        lambda: DBTaskResult.objects.filter(pk__in=ids, status__in=FINAL).count() == len(ids),
        timeout=120,
        what=f"db_worker to run {len(ids)} tasks",
        interval=0.25,
    )
    done = DBTaskResult.objects.filter(pk__in=ids).values_list("return_value", "finished_at")
    return [1000 * (finished.timestamp() - ended) for ended, finished in done]


def _uuid(task_id: Any) -> Any:
    import uuid

    return task_id if isinstance(task_id, uuid.UUID) else uuid.UUID(str(task_id))


def dispatch_run(ctx: Context) -> dict[str, Any]:
    rows.clear()
    with ctx.peer() as worker:
        return {"rate": drain(worker, ctx.sizes.peer_drain)}


def latency_run(ctx: Context) -> dict[str, Any]:
    rows.clear()
    with ctx.peer() as worker:
        out: dict[str, Any] = {"rss_idle": rss_mb(worker.pid)}
        for rate, seconds in ctx.sizes.latency_rates:
            out[f"latency_{rate:g}"] = latencies(rate, seconds)
        out["writeback"] = writeback(ctx.sizes.writeback_tasks)
    return out


def backlog_run(ctx: Context) -> dict[str, Any]:
    """RSS and CPU of the worker idle and with 10k / 100k READY rows (it works through them meanwhile)."""
    rows.clear()
    out: dict[str, Any] = {}
    with ctx.peer() as worker:
        out["rss_backlog_0"], out["cpu_backlog_0"] = rss_mb(worker.pid), cpu_percent(worker.pid)
        total = 0
        for backlog in ctx.sizes.ready_backlogs:
            rows.insert_peer(backlog - total)
            total = backlog
            out[f"cpu_backlog_{backlog}"] = cpu_percent(worker.pid)
            out[f"rss_backlog_{backlog}"] = rss_mb(worker.pid)
    # The worker is stopped before its rows are deleted: a row deleted under a running task crashes it.
    rows.clear()
    return out


def full_table_run(ctx: Context) -> dict[str, Any]:
    """The drain rate with the finished rows in the table (the runner inserts them once, and deletes the
    rest after each repetition, once the worker has stopped)."""
    with ctx.peer() as worker:
        return {"rate_full_table": drain(worker, ctx.sizes.peer_drain)}
