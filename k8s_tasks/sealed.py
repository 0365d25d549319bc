"""Run one task sealed (K8S_TASKS_SEALED=1): from the payload the operator mounted, with no database.

The pod of an isolated queue has no database credentials and no network. It runs only the task and attempt
its own pod names (downward API: K8S_TASKS_TASK_ID and K8S_TASKS_ATTEMPT from the pod's annotations, which
a profile cannot change) and only if the mounted payload is that same attempt. The outcome goes back
through the termination message (k8s_tasks.sealing); the operator writes the row and sends task_finished.

Task code that touches the ORM gets SealedDatabaseAccess saying why and what to do instead.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import traceback
from collections.abc import Mapping
from datetime import datetime
from inspect import iscoroutinefunction
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.module_loading import import_string

from .arguments import DEFAULT_RESULT_LIMITS, PayloadLimits, json_result
from .compat import Task, TaskContext, TaskError, TaskResult, TaskResultStatus, task_started
from .exceptions import InvalidTaskResult, SealedDatabaseAccess
from .rowio import short_reason
from .sealing import PAYLOAD_KEY, SEALED_DIR, Outcome, ProtocolError, TaskPayload, encode

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TERMINATED = 0, 1, 2, 143


class SealedUsageError(Exception):
    """The pod was started wrong: no payload, or a payload for another task or attempt (exit 2)."""


class _SigTerm(BaseException):
    pass


def _raise_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _SigTerm()


def seal_database(queue: str) -> None:
    """Every database connection attempt from now on raises SealedDatabaseAccess."""
    message = (
        f"this task runs sealed on queue {queue!r} (network: isolated): it has no database and no network. "
        "Pass what it needs as arguments and return what it produces, or run it on a queue that is not "
        "isolated."
    )

    def refuse(self: BaseDatabaseWrapper) -> NoReturn:
        raise SealedDatabaseAccess(message)

    BaseDatabaseWrapper.ensure_connection = refuse  # type: ignore[method-assign]


def read_payload(environ: Mapping[str, str], result_id: str) -> TaskPayload:
    path = Path(environ.get("K8S_TASKS_SEALED_PATH") or f"{SEALED_DIR}/{PAYLOAD_KEY}")
    try:
        payload = TaskPayload.from_json(path.read_bytes())
    except OSError as exc:
        raise SealedUsageError(
            f"no task payload at {path} ({exc.strerror}): is the task Secret mounted?"
        ) from None
    except ProtocolError as exc:
        raise SealedUsageError(str(exc)) from None
    own_id = environ.get("K8S_TASKS_TASK_ID", "")
    own_attempt = environ.get("K8S_TASKS_ATTEMPT", "")
    if (payload.id, str(payload.attempt)) != (own_id, own_attempt) or result_id != own_id:
        raise SealedUsageError(
            f"this pod runs task {own_id!r} attempt {own_attempt!r} (its annotations); asked to run "
            f"{result_id!r} with a payload for {payload.id!r} attempt {payload.attempt}: refused"
        )
    return payload


def to_result(payload: TaskPayload, task: Task, worker_id: str) -> TaskResult:
    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    if payload.run_after:
        task = task.using(run_after=when(payload.run_after))
    return TaskResult(
        task=task,
        id=payload.id,
        status=TaskResultStatus.RUNNING,
        enqueued_at=when(payload.enqueued_at),
        started_at=None,
        finished_at=None,
        last_attempted_at=None,
        args=list(payload.args),
        kwargs=dict(payload.kwargs),
        backend=payload.backend,
        errors=[TaskError(**entry) for entry in payload.errors],
        worker_ids=[*payload.worker_ids, worker_id],
    )


def _call(result: TaskResult) -> Any:
    task = result.task
    args: list[Any] = list(result.args)
    if task.takes_context:
        args.insert(0, TaskContext(task_result=result))
    if iscoroutinefunction(task.func):
        return asyncio.run(task.func(*args, **result.kwargs))
    return task.func(*args, **result.kwargs)


def failed(payload: TaskPayload, error: BaseException, *, retryable: bool, reason: str = "") -> Outcome:
    return Outcome(
        id=payload.id,
        attempt=payload.attempt,
        status="FAILED",
        exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
        traceback="".join(traceback.format_exception(error)),
        reason=reason or short_reason(error),
        retryable=retryable,
    )


def run(payload: TaskPayload, worker_id: str) -> Outcome | None:
    """Run the task; its outcome, or None if SIGTERM stopped it (the operator then classifies why)."""
    try:
        task = import_string(payload.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"task_path {payload.task_path!r} does not point to a Task")
        task = task.using(priority=payload.priority, queue_name=payload.queue_name, backend=payload.backend)
        result = to_result(payload, task, worker_id)
    except Exception as error:
        return failed(
            payload, error, retryable=False, reason=f"cannot load task {payload.task_path}: {error}"
        )
    limits: PayloadLimits = getattr(task.get_backend(), "result_limits", DEFAULT_RESULT_LIMITS)
    task_started.send(sender=type(task.get_backend()), task_result=result)
    previous = signal.signal(signal.SIGTERM, _raise_sigterm)
    try:
        try:
            raw = _call(result)
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except _SigTerm:
        return None
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        return failed(payload, error, retryable=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        value = json_result(task.module_path, raw, limits)
    except InvalidTaskResult as error:
        return failed(payload, error, retryable=False)
    return Outcome(id=payload.id, attempt=payload.attempt, status="SUCCESSFUL", return_value=value)


def report(outcome: Outcome, termination_log: str) -> None:
    """The outcome in the termination message (or the log's last line, the message pointing to it)."""
    message, log_line = encode(outcome)
    if log_line is not None:
        print(log_line, flush=True)
    Path(termination_log).write_text(message)


def main(result_id: str, environ: Mapping[str, str]) -> int:
    termination_log = environ.get("K8S_TASKS_TERMINATION_LOG") or "/dev/termination-log"
    try:
        payload = read_payload(environ, result_id)
    except SealedUsageError as exc:
        print(f"k8s-tasks: {exc}", file=sys.stderr)
        return EXIT_USAGE
    seal_database(payload.queue_name)
    outcome = run(payload, environ.get("POD_NAME", "") or "sealed-pod")
    if outcome is None:
        print(
            f"k8s-tasks: task {payload.id} attempt {payload.attempt}: terminated by SIGTERM", file=sys.stderr
        )
        return EXIT_TERMINATED
    report(outcome, termination_log)
    if outcome.status == "FAILED":
        print(f"k8s-tasks: task {payload.id} attempt {payload.attempt}: {outcome.reason}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
