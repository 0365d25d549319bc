"""The one enqueue path: validate, INSERT the rows, send task_enqueued.

The operator is woken by the database: on PostgreSQL a statement-level trigger (migration 0003) NOTIFYs
NOTIFY_CHANNEL with the queue name of inserted READY rows, delivered when the transaction commits. So a
single enqueue is one INSERT statement, in autocommit or in the caller's transaction, with no transaction,
savepoint or NOTIFY round trip of its own.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .arguments import json_arguments
from .compat import Task, TaskResult, TaskResultStatus, task_enqueued
from .inserting import insert_rows

if TYPE_CHECKING:
    from .backend import KubernetesBackend

Call = tuple[Sequence[Any], Mapping[str, Any]]
VARYING = ("id", "args", "kwargs")  # the columns that differ between the rows of one call


def store_tasks(
    backend: "KubernetesBackend",
    task: Task,
    calls: Iterable[Call],
    extra: Mapping[str, Any] | None = None,
    ids: Sequence[str] = (),
) -> list[TaskResult]:
    """Store one READY row per (args, kwargs) with a single INSERT; return their TaskResults. ``extra``
    gives more columns, the same for every row, and ``ids`` the rows' ids (both for k8s_tasks.retry).

    All arguments are validated before anything is written, so a bad call stores nothing. The signal is
    sent once the rows are stored (inside the caller's transaction, if any, as django-tasks-db does).
    """
    from .models import TaskRecord

    backend.validate_task(task)
    if not apps.is_installed("k8s_tasks"):
        raise ImproperlyConfigured(
            f"TASKS[{backend.alias!r}] uses KubernetesBackend, but the k8s_tasks app is not installed "
            "(k8s_tasks.E001): add 'k8s_tasks' to INSTALLED_APPS and run migrate. Nothing was enqueued."
        )
    new_id = TaskRecord._meta.get_field("id").get_default
    # Every call is checked (and converted) before anything is written, against the payload limits.
    limits = backend.argument_limits
    rows = [(new_id(), *json_arguments(task.module_path, args, kwargs, limits)) for args, kwargs in calls]
    if ids:
        rows = [(task_id, *row[1:]) for task_id, row in zip(ids, rows, strict=True)]
    if not rows:
        return []
    now = timezone.now()
    shared = {
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        "backend_name": backend.alias,
        "priority": task.priority,
        "run_after": task.run_after,
        "status": TaskResultStatus.READY,
        "enqueued_at": now,
        **(extra or {}),
    }
    insert_rows(backend.options_parsed.database, TaskRecord, shared, VARYING, rows)
    results: list[TaskResult] = [
        TaskResult(
            task=task,
            id=task_id,
            status=TaskResultStatus.READY,
            enqueued_at=now,
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=args,
            kwargs=kwargs,
            backend=backend.alias,
            errors=[],
            worker_ids=[],
        )
        for task_id, args, kwargs in rows
    ]
    for result in results:
        task_enqueued.send(type(backend), task_result=result)
    return results
