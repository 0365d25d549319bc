"""Acting on tasks: cancel one, run a finished one again. Used by k8s_tasks.cancel / k8s_tasks.retry, the
admin's actions and the command line, which all say what happened to each task in the same words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .backend import KubernetesBackend
from .compat import TaskResult, TaskResultDoesNotExist, TaskResultStatus, task_backends, task_finished
from .exceptions import TaskAlreadyRetried, TaskNotFinished
from .lookup import find_record
from .models import FINISHED, TaskRecord

CancelOutcome = Literal["cancelled", "requested", "finished"]


@dataclass(frozen=True)
class Cancelled:
    """What k8s_tasks.cancel did to one task."""

    id: str
    outcome: CancelOutcome
    """"cancelled": it had not started, and is FAILED (TaskCancelled) now; "requested": it has a Job, which
    the operator deletes before it writes FAILED (TaskCancelled); "finished": it had ended already."""
    status: str
    job_name: str = ""

    def describe(self) -> str:
        if self.outcome == "cancelled":
            return "cancelled (it had not started; FAILED with TaskCancelled)"
        if self.outcome == "requested":
            job = f"Job {self.job_name}" if self.job_name else "its Job"
            return f"cancel requested: the operator deletes {job}, then records FAILED (TaskCancelled)"
        return f"already finished ({self.status}): nothing to cancel"


def cancel_task(result_id: str) -> Cancelled:
    """Cancel one task (see k8s_tasks.cancel). Raises TaskResultDoesNotExist for an unknown id."""
    record = find_record(result_id)
    applied = record.cancel()
    record.refresh_from_db(fields=["status", "job_name"])
    if not applied:
        return Cancelled(record.pk, "finished", record.status)
    if record.status == TaskResultStatus.FAILED:  # finished by this call: no operator will report it
        result = record.to_task_result()
        task_finished.send(type(result.task.get_backend()), task_result=result)
        return Cancelled(record.pk, "cancelled", record.status)
    return Cancelled(record.pk, "requested", record.status, record.job_name)


def retry_task(result_id: str) -> TaskResult:
    """Enqueue a new run of a finished task: the same task, arguments, queue, priority and backend, a new
    id. The two rows name each other (retried_from / retried_as); a task is run again once: the same
    call for it again raises TaskAlreadyRetried naming the newer task (run that one again instead).

    Raises TaskResultDoesNotExist (unknown id), TaskNotFinished (READY or RUNNING), TaskAlreadyRetried,
    and what enqueue raises (the task cannot be imported any more, its queue is not configured, ...).
    """
    from .enqueueing import store_tasks

    record = find_record(result_id)
    if record.status not in FINISHED:
        raise TaskNotFinished(
            f"task {record.pk} is {record.status}: only a finished task is run again (cancel it first, or "
            "wait for it to end)"
        )
    task = record.get_task()
    backend = task_backends[record.backend_name]
    if not isinstance(backend, KubernetesBackend):
        raise ImproperlyConfigured(f"TASKS[{record.backend_name!r}] is not a KubernetesBackend any more")
    using = record._state.db or "default"
    with transaction.atomic(using=using):
        # Claim the link first: of two concurrent calls (a double click), one runs the task again.
        new_id = TaskRecord._meta.get_field("id").get_default()
        claimed = (
            TaskRecord.objects.using(using)
            .filter(pk=record.pk, status__in=FINISHED, retried_as="")
            .update(retried_as=new_id)
        )
        if not claimed:
            raise _not_claimed(record.pk, using)
        [result] = store_tasks(
            backend,
            task,
            [(record.args, record.kwargs)],
            extra={"retried_from": record.pk},
            ids=[new_id],
        )
    return result


def _not_claimed(task_id: str, using: str) -> Exception:
    row = TaskRecord.objects.using(using).filter(pk=task_id).values("status", "retried_as").first()
    if row is None:
        return TaskResultDoesNotExist(task_id)
    if row["retried_as"]:
        return TaskAlreadyRetried(
            f"task {task_id} was already run again as {row['retried_as']}: run that one again instead",
            row["retried_as"],
        )
    return TaskNotFinished(f"task {task_id} is {row['status']}: only a finished task is run again")


@dataclass(frozen=True)
class Retried:
    """What k8s_tasks.retry did to one task, for the admin and the command line."""

    id: str
    new_id: str = ""
    problem: str = ""

    def describe(self) -> str:
        return f"re-run as {self.new_id}" if self.new_id else f"not re-run: {self.problem}"


def retry_described(result_id: str) -> Retried:
    """retry_task, its refusals as a sentence (unknown ids still raise TaskResultDoesNotExist)."""
    try:
        return Retried(result_id, new_id=retry_task(result_id).id)
    except TaskResultDoesNotExist:
        raise
    except (TaskNotFinished, TaskAlreadyRetried) as error:
        return Retried(result_id, problem=str(error))
    except Exception as error:  # the task cannot be enqueued again (gone from the code, queue removed)
        return Retried(result_id, problem=f"{type(error).__name__}: {error}")
