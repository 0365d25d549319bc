"""django.tasks' task_finished, sent in the operator's process for the terminal outcomes it writes.

A task pod sends task_finished for the outcomes it writes; the operator for the ones it writes (OOMKilled,
deadline, evicted for good, cancelled, vanished, rejected). Each terminal write is a conditional UPDATE
that applies once, so the signal is sent once per task whoever writes.
"""

from __future__ import annotations

from k8s_tasks.compat import task_finished

from . import db
from .runtime import logger


def send_finished(using: str, task_id: str) -> None:
    """Send task_finished for a row this process just made terminal (runs in a worker thread)."""
    row = db.full(using, task_id)
    if row is None or row.status not in db.FINAL:
        return
    try:
        result = row.to_task_result()
        backend = type(result.task.get_backend())
    except Exception as exc:  # the task's module is not importable in the operator's image
        logger.warning("task_finished not sent for task %s (%s): %s", task_id, row.task_path, exc)
        return
    for receiver, error in task_finished.send_robust(sender=backend, task_result=result):
        if isinstance(error, Exception):
            logger.error("a task_finished receiver (%r) failed for task %s: %r", receiver, task_id, error)
