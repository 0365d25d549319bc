"""k8s-tasks: a Kubernetes-native backend for Django's Tasks framework."""

__version__ = "0.1.0"


def cancel(result_id: str) -> bool:
    """Cancel a task: READY and not yet dispatched -> FAILED now (k8s_tasks.exceptions.TaskCancelled, and
    task_finished is sent here); otherwise, if it has not finished, record cancel_requested: the operator
    deletes its Job and writes FAILED TaskCancelled once the Job is gone.

    Returns False only if the task had already finished. Raises TaskResultDoesNotExist for unknown ids.
    """
    from django.tasks import TaskResultStatus
    from django.tasks.signals import task_finished

    from .lookup import find_record

    record = find_record(result_id)
    if not record.cancel():
        return False
    if record.status == TaskResultStatus.FAILED:  # finished by this call: no operator will report it
        result = record.to_task_result()
        task_finished.send(type(result.task.get_backend()), task_result=result)
    return True
