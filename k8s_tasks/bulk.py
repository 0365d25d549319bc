"""enqueue_many: many calls of one task in a single INSERT."""

from collections.abc import Iterable

from .compat import Task, TaskResult
from .enqueueing import Call, store_tasks


def enqueue_many(task: Task, calls: Iterable[Call]) -> list[TaskResult]:
    """Enqueue ``task`` once per ``(args, kwargs)`` pair; all are validated first, stored together.

    Example: ``enqueue_many(send_mail, [((user.pk,), {"template": "welcome"}) for user in users])``.
    """
    from .backend import KubernetesBackend

    backend = task.get_backend()
    if not isinstance(backend, KubernetesBackend):
        raise TypeError(
            f"enqueue_many needs a task on a KubernetesBackend; {task.module_path} uses the backend "
            f"{task.backend!r} ({type(backend).__name__}). Use task.using(backend=...) to pick one."
        )
    return store_tasks(backend, task, calls)
