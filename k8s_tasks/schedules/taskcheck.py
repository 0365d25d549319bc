"""spec.task, args, kwargs, queueName, priority and backend checked against the Django project: the task
imports and is a Task, its backend is a KubernetesBackend, the queue is one the backend configures, the
arguments pass the same checks as at enqueue. Every problem names its field and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from ..compat import (
    FRAMEWORK,
    TASK_MAX_PRIORITY,
    TASK_MIN_PRIORITY,
    InvalidTask,
    InvalidTaskBackend,
    Task,
    task_backends,
)
from ..conf import BACKEND_PATH


@dataclass(frozen=True)
class CheckedTask:
    task_path: str
    args: list[Any]
    kwargs: dict[str, Any]
    queue_name: str
    priority: int
    backend: str
    database: str


def load_task(path: str) -> Task:
    """The Task at `path`; ValueError says why not, with the fix."""
    if not path or "." not in path:
        raise ValueError(
            f"{path!r} is not a dotted path: give the module and the task, e.g. reports.tasks.nightly"
        )
    try:
        found = import_string(path)
    except ImportError as error:
        raise ValueError(
            f"cannot import {path!r} ({type(error).__name__}: {error}): give the dotted path of a @task in a "
            "module the operator's image can import"
        ) from None
    except Exception as error:  # the module raised while importing
        raise ValueError(f"importing {path!r} raised {type(error).__name__}: {error}") from None
    if not isinstance(found, Task):
        raise ValueError(
            f"{path!r} is a {type(found).__name__}, not a Task: decorate it with @task "
            f"(from {FRAMEWORK} import task)"
        )
    return found


def _backend_problem(alias: str) -> str | None:
    try:
        backend = task_backends[alias]
    except InvalidTaskBackend:
        known = ", ".join(sorted(task_backends.settings)) or "none"
        return f"spec.backend: {alias!r} is not in TASKS (configured: {known}): name one of those"
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if path != BACKEND_PATH and not path.startswith("k8s_tasks."):
        return (
            f"spec.backend: TASKS[{alias!r}] uses {path}, not {BACKEND_PATH}: a TaskSchedule enqueues "
            "through a KubernetesBackend"
        )
    return None


def check_task(spec: Mapping[str, Any], problems: list[str]) -> CheckedTask | None:
    """Append the problems of the task fields to `problems`; the checked task, or None."""
    from ..arguments import json_arguments
    from ..exceptions import InvalidTaskArguments

    path = spec.get("task")
    if not isinstance(path, str) or not path:
        problems.append("spec.task: required: the dotted path of a @task, e.g. reports.tasks.nightly_report")
        return None
    args, kwargs = spec.get("args", []), spec.get("kwargs", {})
    if not isinstance(args, list):
        problems.append(f"spec.args: {args!r} is not a list: give the positional arguments as a JSON list")
    if not isinstance(kwargs, dict):
        problems.append(f"spec.kwargs: {kwargs!r} is not an object: give keyword arguments as a JSON object")
    priority = spec.get("priority")
    if priority is not None and (
        isinstance(priority, bool)
        or not isinstance(priority, int)
        or not TASK_MIN_PRIORITY <= priority <= TASK_MAX_PRIORITY
    ):
        problems.append(
            f"spec.priority: {priority!r} is not a whole number from {TASK_MIN_PRIORITY} to "
            f"{TASK_MAX_PRIORITY}"
        )
        return None
    try:
        task = load_task(path)
    except ValueError as error:
        problems.append(f"spec.task: {error}")
        return None
    alias = spec.get("backend") or task.backend
    problem = _backend_problem(str(alias))
    if problem:
        problems.append(problem)
        return None
    try:
        task = task.using(backend=alias)
    except InvalidTask as error:
        problems.append(f"spec.task: {error}")
        return None
    try:  # Task.using() runs the backend's validate_task
        task = task.using(queue_name=spec.get("queueName") or None, priority=priority)
    except InvalidTask as error:
        field = "spec.queueName" if "queue" in str(error).lower() else "spec.priority"
        problems.append(f"{field}: {error}")
        return None
    backend = task.get_backend()
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        return None
    try:
        args, kwargs = json_arguments(task.module_path, args, kwargs, backend.argument_limits)  # type: ignore[attr-defined]
    except InvalidTaskArguments as error:
        problems.append(f"spec.args/kwargs: {error}")
        return None
    return CheckedTask(
        task_path=task.module_path,
        args=args,
        kwargs=kwargs,
        queue_name=task.queue_name,
        priority=task.priority,
        backend=task.backend,
        database=backend.options_parsed.database,  # type: ignore[attr-defined]
    )
