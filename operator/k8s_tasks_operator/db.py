"""The operator's database side: plain synchronous functions over TaskRecord, run in worker threads.

Every state change goes through the model's conditional UPDATEs, so two operators (or an operator and a
task pod) racing on one row cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Q, QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone

from k8s_tasks.models import TaskRecord

FINAL = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
RECENT_SECONDS = 3600  # TaskQueue status counts tasks that finished within the last hour
CLAIM_BATCH = 200  # rows per claim: the first Jobs of a large backlog start while the rest wait their turn


def keep_connections_open() -> None:
    """The operator is one long-running process, not a web request: each worker thread keeps its database
    connection (a broken one is replaced: health checks on), whatever CONN_MAX_AGE the project's web
    settings use. With the default CONN_MAX_AGE = 0 every call reconnected (~5 ms each on PostgreSQL)."""
    for alias in connections:
        connections.settings[alias].update(CONN_MAX_AGE=None, CONN_HEALTH_CHECKS=True)


def in_flight(queue_name: str) -> QuerySet[TaskRecord]:
    """Rows of a queue that hold a Job: claimed and not yet started, or running."""
    return TaskRecord.objects.filter(queue_name=queue_name).filter(
        Q(status=TaskResultStatus.RUNNING) | Q(status=TaskResultStatus.READY, dispatched_at__isnull=False)
    )


def claim(
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
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"k8s_tasks:{queue_name}"])
        held = set(in_flight(queue_name).values_list("job_name", flat=True)) | set(active_jobs)
        free = min(concurrency - len(held), CLAIM_BATCH)
        if free <= 0:
            return []
        return TaskRecord.objects.claim(queue_name, free, namespace=namespace, job_name=job_name)


def release(row: TaskRecord) -> bool:
    """Undo a claim whose Job could not be created (the API was unreachable): the row is READY again."""
    close_old_connections()
    applied = TaskRecord.objects.filter(
        pk=row.pk, attempt=row.attempt, status=TaskResultStatus.READY, dispatched_at__isnull=False
    ).update(dispatched_at=None, job_name="", job_namespace="")
    return bool(applied)


def get(task_id: str) -> TaskRecord | None:
    close_old_connections()
    return TaskRecord.objects.filter(pk=task_id).first()


def claimed_without_start(queue_name: str) -> list[TaskRecord]:
    """Rows claimed by an operator whose pod has not started: their Job may never have been created."""
    close_old_connections()
    return list(
        TaskRecord.objects.filter(
            queue_name=queue_name, status=TaskResultStatus.READY, dispatched_at__isnull=False
        )
    )


def cancel_requested() -> list[TaskRecord]:
    close_old_connections()
    return list(
        TaskRecord.objects.filter(
            cancel_requested=True, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).exclude(job_name="")
    )


def pending_since(queue_name: str, before: datetime) -> list[TaskRecord]:
    """Claimed rows of a queue whose pod has not started running since `before`."""
    close_old_connections()
    return list(
        TaskRecord.objects.filter(
            queue_name=queue_name, status=TaskResultStatus.READY, dispatched_at__lt=before
        )
    )


def mark_unknown_queues(known: Iterable[str], namespace: str) -> int:
    """READY rows whose queue has no TaskQueue get a reason a person can act on. Returns rows changed."""
    close_old_connections()
    changed = 0
    stale = (
        TaskRecord.objects.filter(status=TaskResultStatus.READY, dispatched_at__isnull=True)
        .exclude(queue_name__in=list(known))
        .values_list("queue_name", flat=True)
        .distinct()
    )
    for queue_name in list(stale):
        reason = (
            f"Waiting: no TaskQueue for queue '{queue_name}' in namespace '{namespace}'. Create one "
            f"(kubectl apply, or add '{queue_name}' to the chart's values.queues); "
            "the task runs once it exists."
        )
        changed += (
            TaskRecord.objects.filter(
                queue_name=queue_name, status=TaskResultStatus.READY, dispatched_at__isnull=True
            )
            .exclude(reason=reason)
            .update(reason=reason)
        )
    return changed


def clear_unknown_queue_reason(queue_name: str) -> None:
    close_old_connections()
    TaskRecord.objects.filter(
        queue_name=queue_name, status=TaskResultStatus.READY, reason__startswith="Waiting: no TaskQueue"
    ).update(reason="")


def counts() -> dict[str, dict[str, int]]:
    close_old_connections()
    return TaskRecord.objects.queue_counts(finished_since=ago(RECENT_SECONDS))


def now() -> datetime:
    return timezone.now()


def later(seconds: float) -> datetime:
    return timezone.now() + timedelta(seconds=seconds)


def ago(seconds: float) -> datetime:
    return timezone.now() - timedelta(seconds=seconds)
