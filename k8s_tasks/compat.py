"""The one module that knows which Tasks framework is present: Django's own ``django.tasks`` (Django 6.0
and later) or the ``django-tasks`` backport, importable as ``django_tasks`` (Django 5.2 LTS). Every other
module of k8s_tasks, the operator and the tests imports the framework's names from here, under
``django.tasks``' names, so one code path serves both.

What the backport does differently, read from django-tasks 0.12.0 (the same names otherwise, the same
``TaskResultStatus`` members READY, RUNNING, FAILED, SUCCESSFUL, the same ``TaskContext``):

- two exceptions are named differently: ``InvalidTaskError`` is ``django.tasks``' ``InvalidTask`` and
  ``InvalidTaskBackendError`` its ``InvalidTaskBackend`` (exported here as the latter names);
- its system checks and its logging receivers are registered when ``django_tasks.checks`` and
  ``django_tasks.signals`` are imported, which its AppConfig does when ``"django_tasks"`` is in
  INSTALLED_APPS; ``django.tasks`` registers them on import. This module imports both, so a project
  needs only ``"k8s_tasks"`` in INSTALLED_APPS on either;
- it logs to the ``django_tasks`` logger, not ``django.tasks``: Django's default LOGGING shows the
  ``django`` loggers' INFO on the console when DEBUG is on, so the "Task id=... state=RUNNING" line
  appears there on Django 6 only, unless LOGGING configures ``django_tasks``; and it logs a FAILED
  task_finished with ``logger.exception`` (a "NoneType: None" traceback when no exception is being
  handled, as when the operator writes an outcome) where Django logs ERROR with the exception if any;
- ``normalize_json`` is ``django_tasks.utils.normalize_json`` (``django.utils.json`` in Django), the
  same walk; ``Task`` has no ``__reduce__`` (Django 6.1 pickles a Task by its path; 6.0 does not
  either), and ``@task(run_after=...)`` fails with Python's "multiple values" TypeError rather than
  Django 6.1's message;
- with no ``TASKS`` setting it configures the same ImmediateBackend default (Django 5.2 has no
  ``global_settings.TASKS``); its ``Task`` and ``TaskResult`` are Generic at run time too.
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
        Task,
        TaskContext,
        TaskResult,
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django_tasks.backends.base import BaseTaskBackend
    from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, TaskError
    from django_tasks.checks import check_tasks  # registers the backends' checks, as django.tasks does
    from django_tasks.exceptions import InvalidTaskBackendError as InvalidTaskBackend
    from django_tasks.exceptions import InvalidTaskError as InvalidTask
    from django_tasks.exceptions import TaskException, TaskResultDoesNotExist, TaskResultMismatch
    from django_tasks.signals import task_enqueued, task_finished, task_started
    from django_tasks.utils import normalize_json

    FRAMEWORK: Final = "django_tasks"

# The logger the framework's own signal receivers log to ("Task id=... state=...").
TASKS_LOGGER: Final = FRAMEWORK

__all__ = [
    "BUILTIN_TASKS",
    "DEFAULT_TASK_BACKEND_ALIAS",
    "DEFAULT_TASK_PRIORITY",
    "DEFAULT_TASK_QUEUE_NAME",
    "FRAMEWORK",
    "TASKS_LOGGER",
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
