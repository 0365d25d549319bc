"""k8s_tasks.details(): what k8s-tasks knows about a task beyond django.tasks' TaskResult."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .compat import TaskResult, TaskResultDoesNotExist
from .models import TaskRecord


@dataclass(frozen=True)
class TaskDetails:
    """One task's row as k8s-tasks keeps it, read in one query. Every field is a plain value."""

    id: str
    status: str
    reason: str
    """Why it failed last, or why it has not started yet (the scheduler's message, a missing queue), in
    full; "" when there is nothing to say."""
    task_path: str
    queue_name: str
    backend: str
    attempt: int
    """The attempt the current (or next) Job runs, from 1."""
    infra_retries: int
    """Attempts re-run because the infrastructure failed (eviction, lost node), not the task."""
    worker_ids: tuple[str, ...]
    """The pods that ran it, one per attempt that started."""
    job_name: str
    """The Kubernetes Job of the current attempt ("" before it is dispatched)."""
    job_namespace: str
    dispatched_at: datetime | None
    cancel_requested: bool
    retried_from: str | None
    """The id of the task this one runs again (k8s_tasks.retry), or None."""
    retried_as: str | None
    """The id of the task that runs this one again, or None."""
    log_tail: str
    """The end of its output (stdout and stderr), stored when it ended; "" before then, or if none is kept
    (OPTIONS["LOG_TAIL_BYTES"] = 0)."""
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_record(cls, record: TaskRecord) -> TaskDetails:
        return cls(
            id=record.pk,
            status=record.status,
            reason=record.reason,
            task_path=record.task_path,
            queue_name=record.queue_name,
            backend=record.backend_name,
            attempt=record.attempt,
            infra_retries=record.infra_retries,
            worker_ids=tuple(record.worker_ids),
            job_name=record.job_name,
            job_namespace=record.job_namespace,
            dispatched_at=record.dispatched_at,
            cancel_requested=record.cancel_requested,
            retried_from=record.retried_from or None,
            retried_as=record.retried_as or None,
            log_tail=record.log_tail,
            enqueued_at=record.enqueued_at,
            started_at=record.started_at,
            finished_at=record.finished_at,
        )


DEFERRED = ("args", "kwargs", "return_value", "errors")


def details(result_or_id: TaskResult | str) -> TaskDetails:
    """The details of a task, given its TaskResult or its id. Raises TaskResultDoesNotExist."""
    if isinstance(result_or_id, TaskResult):
        from .backend import KubernetesBackend

        backend = result_or_id.task.get_backend()
        if not isinstance(backend, KubernetesBackend):
            raise TypeError(f"task {result_or_id.id} was not enqueued on a KubernetesBackend")
        rows = TaskRecord.objects.using(backend.options_parsed.database).defer(*DEFERRED)
        record = rows.filter(pk=result_or_id.id).first()
        if record is None:
            raise TaskResultDoesNotExist(result_or_id.id)
        return TaskDetails.from_record(record)
    from .lookup import find_record

    return TaskDetails.from_record(find_record(str(result_or_id), defer=DEFERRED))
