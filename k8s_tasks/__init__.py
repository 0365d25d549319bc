"""k8s-tasks: a Kubernetes-native backend for Django's Tasks framework."""

__version__ = "0.1.0"


def cancel(result_id: str) -> bool:
    """Cancel a task: READY and not yet dispatched -> FAILED now (k8s_tasks.exceptions.TaskCancelled);
    otherwise, if it has not finished, record cancel_requested (the operator then deletes its Job).

    Returns False only if the task had already finished. Raises TaskResultDoesNotExist for unknown ids.
    """
    from .lookup import find_record

    return find_record(result_id).cancel()
