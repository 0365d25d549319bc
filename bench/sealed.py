"""Issue 13: a sealed queue (``network: isolated``) side by side with a direct one, through the real operator.

Each repetition, in an order that flips every repetition:

- **dispatch** (fake runtime: pods do not run the task): on a fresh stack per queue, N READY rows
  (enqueue_many, one INSERT) -> Jobs, and for the sealed queue their Secrets. A sealed task is dispatched
  once its Secret exists (its pod waits for it), so the sealed rate runs from the commit to the last
  Secret's ADDED event in the cluster, the direct one to the last Job's (as ``dispatch_rate``). Then, the
  operator settled, the API writes per task (POST/PUT/PATCH/DELETE by the cluster's counts).
- **latency** (process runtime: every pod is a real ``python -m k8s_tasks run`` process): on one fresh
  stack, idle before each load, tasks enqueued at a paced rate on each queue; each task's stamps from
  ``enqueue()`` to its row's ``finished_at`` (written by the direct pod itself, by the operator for a
  sealed one), with the steps between (Job, Secret, pod Running, Job finished) from the cluster.

Both stacks serve the same two TaskQueues, "direct" and "sealed" (the same profile but ``network``), so a
measurement differs only in the queue its tasks are on. Direct pods get the benchmark database's location
(K8S_TASKS_POD_ENV); sealed pods get nothing of the operator's environment.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from django.tasks import TaskResultStatus

from k8s_tasks.bulk import enqueue_many
from k8s_tasks.models import TaskRecord

from . import rows
from .context import Context, pace
from .counts import since, writes
from .ours import FINAL, idle, settle
from .procs import Cluster, Operator, wait_for
from .sealed_stats import dispatched_at, task_stamps
from .steps import step
from .tasks import noop

QUEUES = ("direct", "sealed")
PROFILE: dict[str, Any] = {"concurrency": 10_000, "nodeSelector": {"pool": "general"}}
SPECS: dict[str, dict[str, Any]] = {"direct": PROFILE, "sealed": {**PROFILE, "network": "isolated"}}
POD_ENV = ("BENCH_DB", "BENCH_SQLITE_PATH", "BENCH_PG_NAME", "PGHOST", "PGPORT", "PGUSER")
"""What a direct pod needs to reach the benchmark database (only those set are passed)."""


def order(ctx: Context, rep: int) -> tuple[str, ...]:
    """direct then sealed on even repetitions, the other way round on odd ones."""
    return QUEUES if ctx.ours_first(rep) else QUEUES[::-1]


def isolated(cluster: Cluster) -> bool:
    """The sealed TaskQueue's status names its NetworkPolicy: the operator dispatches on it from now."""
    return str(cluster.queue_status("sealed").get("isolation") or "").startswith("NetworkPolicy ")


@contextlib.contextmanager
def stack(ctx: Context, runtime: str = "fake") -> Iterator[tuple[Cluster, Operator]]:
    """A fresh local cluster (`runtime`; pods' Running times and FailedMounts recorded) and a fresh
    operator serving "direct" and "sealed", the latter's NetworkPolicy in place."""
    with ctx.cluster(f"sealed-{runtime}", runtime=runtime, record_pods=True) as cluster:
        operator: Operator | None = None
        try:
            with step("operator started"):
                for name, spec in SPECS.items():
                    cluster.make_queue(name, **spec)
                env = {**ctx.env, "K8S_TASKS_POD_ENV": ",".join(POD_ENV)}
                operator = Operator(cluster, env, cluster.kubeconfig.parent / "operator.log")
                for name in QUEUES:
                    operator.wait_ready(cluster, name)
                wait_for(lambda: isolated(cluster), timeout=60, what="the sealed queue's NetworkPolicy")
            yield cluster, operator
        finally:
            if operator is not None:
                with step("operator stopped"):
                    operator.stop()


def dispatch(cluster: Cluster, operator: Operator, queue: str, count: int) -> dict[str, Any]:
    """enqueue_many `count` tasks on `queue`; wait for their Jobs (and Secrets), then for the operator to
    settle. {"rate": tasks/s from the commit to the last Job, or for a sealed queue the later of its last
    Job and last Secret; "jobs_rate": to the last Job; "writes_per_task", "requests", "settle_seconds",
    "settled", "events_caught_up", "failed_mount": pods that found no Secret at first}."""
    cluster.reset()
    with step(f"enqueue_many({count}) on {queue}"):
        results = enqueue_many(noop.using(queue_name=queue), [((i,), {}) for i in range(count)])
    committed = time.time()
    ids = {r.id for r in results}
    timeout = max(120.0, count / 10)
    with step(f"{count} Jobs created"):
        jobs = cluster.created(ids, timeout=timeout, what=f"{count} Jobs on {queue}")
    secrets: dict[str, float] = {}
    if queue == "sealed":
        with step(f"{count} Secrets created"):
            secrets = cluster.created(ids, timeout=timeout, what=f"{count} Secrets", kind="secrets")
    end = dispatched_at(ids, jobs, secrets)
    with step("operator settled"):
        quiet = settle(cluster, operator, count)
    requests: dict[str, int] = quiet.value
    return {
        "rate": count / (end - committed),
        "jobs_rate": count / (max(jobs[i] for i in ids) - committed),
        "writes_per_task": writes(requests) / count,
        "requests": requests,
        "settle_seconds": time.time() - end,
        "settled": quiet.quiet,
        "events_caught_up": quiet.until_met,
        "failed_mount": cluster.counts()["failed_mount"],
    }


def succeeded(ids: list[str], what: str, timeout: float) -> None:
    """Until every task has its outcome written; SystemExit naming the first that did not succeed."""
    wait_for(
        lambda: TaskRecord.objects.filter(pk__in=ids, status__in=FINAL).count() == len(ids),
        timeout=timeout,
        what=f"{len(ids)} {what} to finish",
        interval=0.05,
    )
    bad = TaskRecord.objects.filter(pk__in=ids).exclude(status=TaskResultStatus.SUCCESSFUL).first()
    if bad is not None:
        raise SystemExit(f"benchmark: {what}: task {bad.pk} ended {bad.status}: {bad.reason} {bad.errors}")


def latency(cluster: Cluster, operator: Operator, queue: str, rate: float, seconds: float) -> dict[str, Any]:
    """On an idle operator, tasks enqueued on `queue` at `rate`/s for `seconds`, each run by a real pod
    process; waits for their outcomes, then for the operator to settle again. {"tasks": each task's stamps
    (bench.sealed_stats.task_stamps), "writes_per_task" (every write from the first enqueue until
    settled: the whole life of the tasks), "requests", "failed_mount"}."""
    idle(cluster, operator)
    before = cluster.counts()
    offered = pace(lambda: noop.using(queue_name=queue).enqueue(7).id, rate, seconds)
    ids = [task_id for task_id, _ in offered]
    succeeded(ids, f"paced tasks on {queue}", timeout=60 + 10 * len(ids))
    idle(cluster, operator)
    after, stats = cluster.counts(), cluster.stats()
    found = TaskRecord.objects.in_bulk(ids)
    requests = since(after["requests"], before["requests"])
    return {
        "tasks": [task_stamps(found[task_id], sent, stats) for task_id, sent in offered],
        "writes_per_task": writes(requests) / len(ids),
        "requests": requests,
        "failed_mount": after["failed_mount"] - before["failed_mount"],
    }


def run(ctx: Context, rep: int) -> dict[str, Any]:
    """One repetition: the dispatch of each queue on its own fresh stack (fake runtime), then the paced
    latency of each on one fresh stack (process runtime)."""
    sizes = ctx.sizes
    out: dict[str, Any] = {"order": list(order(ctx, rep)), "dispatch": {}, "latency": {}}
    for queue in order(ctx, rep):
        rows.clear()
        with stack(ctx) as (cluster, operator):
            out["dispatch"][queue] = dispatch(cluster, operator, queue, sizes.sealed_dispatch)
    rows.clear()
    rate, seconds = sizes.sealed_latency
    with stack(ctx, runtime="process") as (cluster, operator):
        for queue in order(ctx, rep):
            with step(f"latency on {queue} at {rate:g}/s for {seconds:g}s"):
                out["latency"][queue] = latency(cluster, operator, queue, rate, seconds)
    rows.clear()
    return out
