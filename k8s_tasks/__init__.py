"""k8s-tasks: a Kubernetes-native backend for Django's Tasks framework."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .compat import TaskResult
    from .taskdetails import TaskDetails

__version__ = "0.1.0"


def cancel(result_id: str) -> bool:
    """Cancel a task: READY and not yet dispatched -> FAILED now (k8s_tasks.exceptions.TaskCancelled, and
    task_finished is sent here); otherwise, if it has not finished, record cancel_requested: the operator
    deletes its Job and writes FAILED TaskCancelled once the Job is gone.

    Returns False only if the task had already finished. Raises TaskResultDoesNotExist for unknown ids.
    """
    from .actions import cancel_task

    return cancel_task(result_id).outcome != "finished"


def retry(result_id: str) -> TaskResult:
    """Run a finished task (SUCCESSFUL or FAILED) again: a new task with the same task path, arguments,
    queue, priority and backend, and a new id, returned as its TaskResult. The two name each other:
    ``details(new).retried_from`` is the original's id, ``details(original).retried_as`` the new one's.

    Raises TaskResultDoesNotExist for unknown ids, k8s_tasks.exceptions.TaskNotFinished for a task still
    READY or RUNNING, and k8s_tasks.exceptions.TaskAlreadyRetried (with ``retried_as``) for a task that
    was already run again: run that newer task again instead.
    """
    from .actions import retry_task

    return retry_task(str(getattr(result_id, "id", result_id)))


def details(result_or_id: TaskResult | str) -> TaskDetails:
    """A task's details beyond its TaskResult (k8s_tasks.details.TaskDetails): the full reason, its Job,
    the attempt, its pods, the links to its run again, the stored tail of its output, ..."""
    from .taskdetails import details as read

    return read(result_or_id)
