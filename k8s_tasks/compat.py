"""The one module that knows which Tasks framework is present: Django's own ``django.tasks`` (Django 6.0
and later) or the ``django-tasks`` backport, importable as ``django_tasks`` (Django 5.2 LTS). Every other
module of k8s_tasks, the operator and the tests imports the framework's names from here, under
``django.tasks``' names, so one code path serves both.

What the backport (django-tasks 0.12.0, read) does differently, and what this module does about it. The
rest is the same: the names, ``TaskResultStatus`` (READY, RUNNING, FAILED, SUCCESSFUL; the backport's
releases before 0.9 had other names, hence >= 0.12), ``TaskResult``, ``TaskContext``, ``TaskError``,
``BaseTaskBackend`` and its ``validate_task`` (the same checks and messages), the three signals.

- Two exceptions have other names: ``InvalidTaskError`` is ``django.tasks``' ``InvalidTask`` and
  ``InvalidTaskBackendError`` its ``InvalidTaskBackend``; exported here under Django's names (a 5.2 project
  catches the backport's names, the same classes). ``Task`` is in ``django_tasks.base``, not
  ``django_tasks``' top level.
- Its system checks and its signal receivers are registered when ``django_tasks.checks`` and
  ``django_tasks.signals`` are imported, which its AppConfig does when ``"django_tasks"`` is in
  INSTALLED_APPS; ``django.tasks`` registers both on import. This module imports both, so ``"k8s_tasks"``
  in INSTALLED_APPS is all a project needs on either (``manage.py check`` runs our checks).
- Its receivers log to the ``django_tasks`` logger, outside Django's ``django`` logger and so outside
  Django's default LOGGING (Python's last-resort handler prints its WARNING and above on stderr), and
  log a FAILED task with ``logger.exception``: a traceback, "NoneType: None" when no exception is being
  handled, in every failed task's pod log. Here they are replaced by Django 6's: the ``django.tasks``
  logger, a FAILED task at ERROR with the exception only while one is handled. A project configuring the
  ``django_tasks`` logger configures ``django.tasks`` instead, as it will on Django 6.
- ``normalize_json`` is ``django_tasks.utils.normalize_json`` (``django.utils.json``'s in Django), the
  same walk. ``Task`` has no ``__reduce__`` (Django 6.1 pickles a Task by its path; 6.0 does not either);
  ``@task(run_after=...)`` raises Python's "multiple values" TypeError, not Django 6.1's message; ``Task``
  and ``TaskResult`` are Generic at run time; with no ``TASKS`` setting it configures the same
  ImmediateBackend default (Django 5.2's global_settings has no ``TASKS``).
"""

from typing import Final

import django
from django.core.exceptions import ImproperlyConfigured

# True on Django 6.0+. mypy takes it as always true (pyproject's always_true), checking the django.tasks
# branch; `make lint-django52` checks the other with --always-false.
BUILTIN_TASKS: Final = django.VERSION >= (6, 0)

if BUILTIN_TASKS:
    from django.tasks import (
        DEFAULT_TASK_BACKEND_ALIAS,
        DEFAULT_TASK_QUEUE_NAME,
        Task,
        TaskContext,
        TaskResult,
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django.tasks.backends.base import BaseTaskBackend
    from django.tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, TaskError
    from django.tasks.checks import check_tasks
    from django.tasks.exceptions import (
        InvalidTask,
        InvalidTaskBackend,
        TaskException,
        TaskResultDoesNotExist,
        TaskResultMismatch,
    )
    from django.tasks.signals import task_enqueued, task_finished, task_started
    from django.utils.json import normalize_json

    FRAMEWORK: Final = "django.tasks"
else:
    try:
        import django_tasks  # noqa: F401
    except ImportError as error:
        raise ImproperlyConfigured(
            f"Django {django.get_version()} has no django.tasks: k8s-tasks runs on it with the django-tasks "
            "backport. Install it with: pip install 'k8s-tasks[django52]'"
        ) from error
    from django_tasks import (
        DEFAULT_TASK_BACKEND_ALIAS,
        DEFAULT_TASK_QUEUE_NAME,
        TaskContext,
        TaskResult,
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django_tasks.backends.base import BaseTaskBackend
    from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, Task, TaskError
    from django_tasks.checks import check_tasks  # registers the backends' checks, as django.tasks does
    from django_tasks.exceptions import InvalidTaskBackendError as InvalidTaskBackend
    from django_tasks.exceptions import InvalidTaskError as InvalidTask
    from django_tasks.exceptions import TaskException, TaskResultDoesNotExist, TaskResultMismatch
    from django_tasks.signals import task_enqueued, task_finished, task_started
    from django_tasks.utils import normalize_json

    FRAMEWORK: Final = "django_tasks"


def _log_as_django_does() -> None:
    """The backport's log receivers replaced by Django 6's (django/tasks/signals.py): the same lines on the
    ``django.tasks`` logger, a failed task's exception logged only while it is being handled."""
    import logging
    import sys
    from typing import Any

    from django_tasks import signals

    logger = logging.getLogger("django.tasks")

    def log_task_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
        logger.debug(
            "Task id=%s path=%s enqueued backend=%s",
            task_result.id,
            task_result.task.module_path,
            task_result.backend,
        )

    def log_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
        logger.info(
            "Task id=%s path=%s state=%s", task_result.id, task_result.task.module_path, task_result.status
        )

    def log_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
        exc_info = sys.exc_info()
        logger.log(
            logging.ERROR if task_result.status == TaskResultStatus.FAILED else logging.INFO,
            "Task id=%s path=%s state=%s",
            task_result.id,
            task_result.task.module_path,
            task_result.status,
            exc_info=exc_info if exc_info[0] else None,
        )

    for signal, theirs, ours in (
        (task_enqueued, signals.log_task_enqueued, log_task_enqueued),
        (task_started, signals.log_task_started, log_task_started),
        (task_finished, signals.log_task_finished, log_task_finished),
    ):
        signal.disconnect(theirs)
        signal.connect(ours, weak=False, dispatch_uid=f"k8s_tasks.compat.{ours.__name__}")


if not BUILTIN_TASKS:
    _log_as_django_does()

__all__ = [
    "BUILTIN_TASKS",
    "DEFAULT_TASK_BACKEND_ALIAS",
    "DEFAULT_TASK_PRIORITY",
    "DEFAULT_TASK_QUEUE_NAME",
    "FRAMEWORK",
    "TASK_MAX_PRIORITY",
    "TASK_MIN_PRIORITY",
    "BaseTaskBackend",
    "InvalidTask",
    "InvalidTaskBackend",
    "Task",
    "TaskContext",
    "TaskError",
    "TaskException",
    "TaskResult",
    "TaskResultDoesNotExist",
    "TaskResultMismatch",
    "TaskResultStatus",
    "check_tasks",
    "default_task_backend",
    "normalize_json",
    "task",
    "task_backends",
    "task_enqueued",
    "task_finished",
    "task_started",
]
