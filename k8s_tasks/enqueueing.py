"""The one enqueue path: validate, INSERT the rows, NOTIFY the operator, send task_enqueued."""

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.tasks import Task, TaskResult
from django.tasks.signals import task_enqueued
from django.utils import timezone

from .arguments import to_json, validate_arguments
from .conf import NOTIFY_CHANNEL

if TYPE_CHECKING:
    from .backend import KubernetesBackend

Call = tuple[Sequence[Any], Mapping[str, Any]]


def notify(database: str, queue_name: str) -> None:
    """On PostgreSQL, wake operators LISTENing on NOTIFY_CHANNEL; delivered when the transaction commits."""
    connection = transaction.get_connection(database)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, queue_name])


def store_tasks(backend: "KubernetesBackend", task: Task, calls: Iterable[Call]) -> list[TaskResult]:
    """Store one READY row per (args, kwargs) with a single INSERT; return their TaskResults.

    All arguments are validated before anything is written, so a bad call stores nothing. The signal is
    sent once the rows are stored (inside the caller's transaction, if any, as django-tasks-db does).
    """
    from .models import TaskRecord

    backend.validate_task(task)
    calls = list(calls)
    for args, kwargs in calls:
        validate_arguments(task.module_path, args, kwargs)
    database = backend.options_parsed.database
    now = timezone.now()
    records = []
    for args, kwargs in calls:
        json_args, json_kwargs = to_json(args, kwargs)
        records.append(
            TaskRecord(
                task_path=task.module_path,
                queue_name=task.queue_name,
                backend_name=backend.alias,
                priority=task.priority,
                run_after=task.run_after,
                args=json_args,
                kwargs=json_kwargs,
                enqueued_at=now,
            )
        )
    if not records:
        return []
    with transaction.atomic(using=database):
        TaskRecord.objects.using(database).bulk_create(records)
        notify(database, task.queue_name)
    results = [record.to_task_result(task) for record in records]
    for result in results:
        task_enqueued.send(type(backend), task_result=result)
    return results
