"""The operator's database side: plain synchronous functions over TaskRecord, run in worker threads.

Every state change goes through the model's conditional UPDATEs, so two operators (or an operator and a
task pod) racing on one row cannot both win. Every function names its database (`using`): the operator
serves each backend's OPTIONS["DATABASE"]. Rows are loaded without their arguments, return value and
errors (STATE_FIELDS): the operator's memory does not grow with payloads. Times are compared with the
database's clock (k8s_tasks.clock.database_now), never this process's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from django.db import close_old_connections, connections, transaction
from django.db.models import Q, QuerySet

from k8s_tasks.clock import database_now
from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord

FINAL = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
RECENT_SECONDS = 3600  # TaskQueue status counts tasks that finished within the last hour
CLAIM_BATCH = 200  # rows per claim: the first Jobs of a large backlog start while the rest wait their turn
PAGE = 1000  # rows per page of the resync
STATE_FIELDS = (
    "id",
    "task_path",
    "queue_name",
    "backend_name",
    "priority",
    "status",
    "attempt",
    "infra_retries",
    "job_name",
    "job_namespace",
    "dispatched_at",
    "reason",
    "cancel_requested",
    "enqueued_at",
)


def keep_connections_open() -> None:
    """The operator is one long-running process, not a web request: each worker thread keeps its database
    connection (a broken one is replaced: health checks on), whatever CONN_MAX_AGE the project's web
    settings use. With the default CONN_MAX_AGE = 0 every call reconnected (~5 ms each on PostgreSQL)."""
    for alias in connections:
        connections.settings[alias].update(CONN_MAX_AGE=None, CONN_HEALTH_CHECKS=True)


def rows(using: str) -> QuerySet[TaskRecord]:
    return TaskRecord.objects.using(using).only(*STATE_FIELDS)


def now(using: str) -> datetime:
    close_old_connections()
    return database_now(using)


def in_flight(using: str, queue_name: str) -> QuerySet[TaskRecord]:
    """Rows of a queue that hold a Job: claimed and not yet started, or running."""
    return (
        TaskRecord.objects.using(using)
        .filter(queue_name=queue_name)
        .filter(
            Q(status=TaskResultStatus.RUNNING) | Q(status=TaskResultStatus.READY, dispatched_at__isnull=False)
        )
    )


def claim(
    using: str,
    queue_name: str,
    concurrency: int,
    *,
    namespace: str,
    job_name: Callable[[str, int], str],
    active_jobs: Iterable[str] = (),
) -> list[TaskRecord]:
    """Claim up to the queue's free capacity: its concurrency less its active Jobs, which are the Jobs of
    unfinished rows plus Jobs still running after their row finished (`active_jobs`, from the watch: a
    pod writes its result a moment before it exits). On PostgreSQL a per-queue advisory lock keeps two
    operators from both filling the same free slots; the claim itself uses SKIP LOCKED."""
    close_old_connections()
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"k8s_tasks:{queue_name}"])
        held = set(in_flight(using, queue_name).values_list("job_name", flat=True)) | set(active_jobs)
        free = min(concurrency - len(held), CLAIM_BATCH)
        if free <= 0:
            return []
        return TaskRecord.objects.db_manager(using).claim(
            queue_name,
            free,
            namespace=namespace,
            job_name=job_name,
            now=database_now(using),
            fields=STATE_FIELDS,
        )


def release(row: TaskRecord, reason: str = "") -> bool:
    """Undo a claim whose Job could not be created (the API was unreachable): the row is READY again."""
    close_old_connections()
    applied = (
        TaskRecord.objects.using(row._state.db or "default")
        .filter(pk=row.pk, attempt=row.attempt, status=TaskResultStatus.READY, dispatched_at__isnull=False)
        .update(dispatched_at=None, job_name="", job_namespace="", reason=reason)
    )
    return bool(applied)


def get(using: str, task_id: str) -> TaskRecord | None:
    close_old_connections()
    return rows(using).filter(pk=task_id).first()


def full(using: str, task_id: str) -> TaskRecord | None:
    """The whole row (arguments and result too, not the log tail): to build the TaskResult a signal
    carries, or a sealed task's payload."""
    close_old_connections()
    return TaskRecord.objects.using(using).defer("log_tail").filter(pk=task_id).first()


def in_flight_pages(using: str, page: int = PAGE) -> Iterator[list[TaskRecord]]:
    """Every row that holds a Job (claimed or running), in pages by id (index k8s_tasks_inflight_idx): the
    resync's view of the database, bounded in memory whatever the number of rows."""
    close_old_connections()
    wanted = Q(status=TaskResultStatus.RUNNING) | Q(
        status=TaskResultStatus.READY, dispatched_at__isnull=False
    )
    last = ""
    while True:
        batch = list(rows(using).filter(wanted, pk__gt=last).order_by("pk")[:page])
        if batch:
            yield batch
        if len(batch) < page:
            return
        last = batch[-1].pk


def states(using: str, task_ids: Iterable[str]) -> dict[str, TaskRecord]:
    """The rows of these ids that exist, by id (ids without a row are missing from the answer)."""
    close_old_connections()
    ids = list(task_ids)
    found: dict[str, TaskRecord] = {}
    for start in range(0, len(ids), PAGE):
        found.update((r.pk, r) for r in rows(using).filter(pk__in=ids[start : start + PAGE]))
    return found


def cancel_requested(using: str) -> list[str]:
    """Ids of unfinished rows whose cancellation is still to be carried out (few at any time)."""
    close_old_connections()
    return list(
        TaskRecord.objects.using(using)
        .filter(cancel_requested=True, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .values_list("pk", flat=True)
    )


def pending_since(using: str, queue_name: str, seconds: float) -> list[TaskRecord]:
    """Claimed rows of a queue whose pod has not started running for `seconds` (the database's clock)."""
    close_old_connections()
    before = database_now(using) - timedelta(seconds=seconds)
    return list(
        rows(using).filter(queue_name=queue_name, status=TaskResultStatus.READY, dispatched_at__lt=before)
    )


def claimed_for(using: str, seconds: float, dispatched_at: datetime) -> float:
    """Seconds to wait until a claim made at `dispatched_at` is `seconds` old, by the database's clock."""
    age = (database_now(using) - dispatched_at).total_seconds()
    return max(0.0, seconds - age)


def later(using: str, seconds: float) -> datetime:
    """`seconds` from now by the database's clock (when a retry may run)."""
    return database_now(using) + timedelta(seconds=seconds)


def waiting_reason(queue_name: str, problems: str | None, namespace: str) -> str:
    """Why a READY row of `queue_name` waits: no TaskQueue, or an invalid one (`problems`: its first)."""
    if problems is not None:
        return (
            f"Waiting: the TaskQueue for queue '{queue_name}' in namespace '{namespace}' is invalid "
            f"(Valid=False): {problems}. Fix it (kubectl describe taskqueue); the task runs once it is valid."
        )
    return (
        f"Waiting: no TaskQueue for queue '{queue_name}' in namespace '{namespace}'. Create one "
        f"(kubectl apply, or add '{queue_name}' to the chart's values.queues); the task runs once it exists."
    )


def _waiting(using: str) -> QuerySet[TaskRecord]:
    return TaskRecord.objects.using(using).filter(status=TaskResultStatus.READY, dispatched_at__isnull=True)


def waiting_queue_names(using: str, known: Iterable[str]) -> list[str]:
    """Queues, other than `known`, that READY unclaimed rows wait for."""
    close_old_connections()
    stale = _waiting(using).exclude(queue_name__in=list(known)).values_list("queue_name", flat=True)
    return list(stale.distinct())


def unexplained(using: str, queue_name: str, reason: str, limit: int = PAGE) -> list[str]:
    """Ids of READY unclaimed rows of `queue_name` whose reason is not `reason` yet (at most `limit`)."""
    close_old_connections()
    rows = _waiting(using).filter(queue_name=queue_name).exclude(reason=reason)
    return list(rows.values_list("id", flat=True)[:limit])


def explain(using: str, queue_name: str, ids: list[str], reason: str) -> int:
    """Write `reason` on those of `ids` still READY, unclaimed and of `queue_name`; the rows changed."""
    close_old_connections()
    rows = _waiting(using).filter(queue_name=queue_name, id__in=ids).exclude(reason=reason)
    return rows.update(reason=reason)


def counts(using: str) -> dict[str, dict[str, int]]:
    close_old_connections()
    since = database_now(using) - timedelta(seconds=RECENT_SECONDS)
    return TaskRecord.objects.db_manager(using).queue_counts(finished_since=since)


SQLITE_CACHE_KIB = 512
"""SQLite's page cache per connection in the operator (SQLite's default is 2,000 KiB). The operator's
worker threads each hold a connection, so a scan of a large backlog grew its RSS by ~2 MB per thread;
the operating system's file cache serves the rest."""


def bound_sqlite_page_cache(sender: object, connection: object, **_: object) -> None:
    """connection_created receiver: a smaller page cache on each SQLite connection of this process."""
    if getattr(connection, "vendor", None) == "sqlite":
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
