"""Run one task in a task pod: ``python -m k8s_tasks run <result-id>``.

Exit codes: 0 the task succeeded, 1 it failed (or was cancelled; a retry may be scheduled), 2 usage or
state error (unknown id, finished, another runner has this attempt), 143 SIGTERM while running.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from inspect import iscoroutinefunction
from pathlib import Path
from types import FrameType
from typing import Any

from django.tasks import TaskContext, TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.json import normalize_json

from .exceptions import PodTerminated, TaskCancelled
from .lookup import find_record
from .models import TaskRecord

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TERMINATED = 0, 1, 2, 143
TERMINATION_LOG = "/dev/termination-log"
MAX_TERMINATION_MESSAGE = 4096  # bytes Kubernetes keeps of a termination message
MAX_REASON = 500
CANCELLED_PATH = f"{TaskCancelled.__module__}.{TaskCancelled.__qualname__}"
TERMINATED_PATH = f"{PodTerminated.__module__}.{PodTerminated.__qualname__}"


class UsageError(Exception):
    """A problem with how the runner was started or with the row's state (exit code 2)."""


class _SigTerm(BaseException):
    """Raised by the SIGTERM handler; a BaseException so task code catching Exception cannot swallow it."""


@dataclass(frozen=True)
class RunnerEnv:
    """What the Job tells the runner, from its environment (read here only)."""

    attempt: int | None
    worker_id: str
    termination_log: str
    max_attempts: int
    retry_delay: timedelta
    managed: bool = False
    """Run by the operator (K8S_TASKS_MANAGED=1): on SIGTERM the operator writes the verdict."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "RunnerEnv":
        return cls(
            attempt=_int_env(environ, "K8S_TASKS_ATTEMPT", None, minimum=1),
            worker_id=environ.get("POD_NAME") or socket.gethostname(),
            termination_log=environ.get("K8S_TASKS_TERMINATION_LOG") or TERMINATION_LOG,
            max_attempts=_int_env(environ, "K8S_TASKS_MAX_ATTEMPTS", 1, minimum=1) or 1,
            retry_delay=timedelta(
                seconds=_int_env(environ, "K8S_TASKS_RETRY_DELAY_SECONDS", 0, minimum=0) or 0
            ),
            managed=environ.get("K8S_TASKS_MANAGED") == "1",
        )


def _int_env(environ: Mapping[str, str], name: str, default: int | None, *, minimum: int) -> int | None:
    raw = environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise UsageError(f"env {name}={raw!r} is invalid; set it to a whole number >= {minimum} or unset it")
    return value


def should_retry(record: TaskRecord, attempt: int, max_attempts: int) -> bool:
    """The task's own failures spend its attempts; infrastructure re-runs (infra_retries) do not."""
    return attempt - record.infra_retries < max_attempts


def short_reason(exception: BaseException) -> str:
    text = f"{type(exception).__qualname__}: {exception}".strip().splitlines()
    line = text[0] if text else type(exception).__qualname__
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 3] + "..."


def class_path(exception: BaseException) -> str:
    return f"{type(exception).__module__}.{type(exception).__qualname__}"


def termination_message(summary: Mapping[str, Any]) -> str:
    """One JSON line, shortened (reason first) to fit Kubernetes' termination message limit."""
    data = dict(summary)
    line = json.dumps(data, separators=(",", ":"), default=str)
    while len(line.encode()) > MAX_TERMINATION_MESSAGE and len(data.get("reason", "")) > 20:
        data["reason"] = data["reason"][: len(data["reason"]) // 2] + "..."
        line = json.dumps(data, separators=(",", ":"), default=str)
    return line


def write_termination_log(path: str, summary: Mapping[str, Any]) -> None:
    # Not in a pod, or the path is not writable: ignore it, the row already has the outcome.
    with contextlib.suppress(OSError):
        Path(path).write_text(termination_message(summary) + "\n")


def _call(result: TaskResult) -> Any:
    task = result.task
    args: list[Any] = list(result.args)
    if task.takes_context:
        args.insert(0, TaskContext(task_result=result))
    if iscoroutinefunction(task.func):
        return asyncio.run(task.func(*args, **result.kwargs))
    return task.func(*args, **result.kwargs)


def _json_value(value: Any) -> Any:
    """Normalise a return value as django.tasks does, and insist it round-trips through JSON."""
    normalised = normalize_json(value)
    return json.loads(json.dumps(normalised, allow_nan=False))


def _raise_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _SigTerm()


def run_task(result_id: str, env: RunnerEnv, now: Callable[[], datetime] = timezone.now) -> int:
    """Claim this attempt of the task, run it, write the outcome; returns the process exit code."""
    summary: dict[str, Any] = {"id": result_id}
    try:
        record = find_record(result_id)
    except TaskResultDoesNotExist as e:
        raise UsageError(f"no task result with id {result_id!r} in the task database") from e
    attempt = env.attempt or record.attempt
    summary.update(attempt=attempt, task=record.task_path, queue=record.queue_name)
    if record.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
        raise UsageError(f"task {result_id} is already {record.status}; it is not run again")
    if record.cancel_requested:
        record.set_failed(CANCELLED_PATH, "Cancelled before it started.\n", "cancelled", attempt=attempt)
        write_termination_log(env.termination_log, {**summary, "status": "FAILED", "reason": "cancelled"})
        print(f"k8s-tasks: task {result_id} was cancelled; not running it", file=sys.stderr)
        return EXIT_FAILED
    if not record.set_running(env.worker_id, attempt):
        record.refresh_from_db()
        raise UsageError(
            f"task {result_id} attempt {attempt} is not runnable: it is {record.status} at attempt "
            f"{record.attempt} (another runner has it, or it finished)"
        )
    try:
        result = record.to_task_result()
    except Exception as error:  # the task cannot even be loaded from this image
        reason = f"cannot load task {record.task_path}: {short_reason(error)}"
        tb = "".join(traceback.format_exception(error))
        record.set_failed(class_path(error), tb, reason, attempt=attempt)
        write_termination_log(env.termination_log, {**summary, "status": "FAILED", "reason": reason})
        print(f"k8s-tasks: task {result_id} attempt {attempt}: {reason}", file=sys.stderr)
        return EXIT_FAILED
    task_started.send(sender=type(result.task.get_backend()), task_result=result)

    previous = signal.signal(signal.SIGTERM, _raise_sigterm)
    try:
        try:
            value = _json_value(_call(result))
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finish writing the outcome undisturbed
    except _SigTerm as stop:
        record.refresh_from_db(fields=["cancel_requested"])
        if env.managed and not record.cancel_requested:
            # Under the operator, Kubernetes knows why (eviction, deadline, node drain): the operator
            # writes the verdict when the Job ends, possibly a retry. The row says what happened so far.
            why = "terminated by SIGTERM; the operator records the cause once the Job ends"
            record.set_pending_reason(why, attempt=attempt)
            write_termination_log(env.termination_log, {**summary, "status": "TERMINATED", "reason": why})
            print(f"k8s-tasks: task {result_id} attempt {attempt}: {why}", file=sys.stderr)
            return EXIT_TERMINATED
        path, why = (
            (CANCELLED_PATH, "cancelled while running")
            if record.cancel_requested
            else (
                TERMINATED_PATH,
                "terminated by SIGTERM while running (pod deleted, evicted or node drained)",
            )
        )
        tb = "Traceback (most recent call last):\n" + "".join(traceback.format_tb(stop.__traceback__))
        record.set_failed(path, f"{tb}{path}: {why}\n", why, attempt=attempt)
        return _finish(record, result, {**summary, "status": "FAILED", "reason": why}, env, EXIT_TERMINATED)
    except BaseException as error:  # the task's own failure, as django.tasks records it
        if isinstance(error, KeyboardInterrupt):
            raise
        tb = "".join(traceback.format_exception(error))
        reason = short_reason(error)
        if should_retry(record, attempt, env.max_attempts):
            record.retry(
                attempt=attempt,
                run_after=now() + env.retry_delay,
                infrastructure=False,
                exception_class_path=class_path(error),
                traceback=tb,
                reason=f"attempt {attempt} failed, will retry: {reason}",
            )
            status = "READY"
        else:
            record.set_failed(class_path(error), tb, reason, attempt=attempt)
            status = "FAILED"
        return _finish(record, result, {**summary, "status": status, "reason": reason}, env, EXIT_FAILED)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not record.set_successful(value):
        record.refresh_from_db()
        why = f"result not recorded: the task is now {record.status} ({record.reason or 'no reason given'})"
        raise UsageError(f"task {result_id}: {why}")
    return _finish(record, result, {**summary, "status": "SUCCESSFUL"}, env, EXIT_OK)


def _finish(
    record: TaskRecord, result: TaskResult, summary: dict[str, Any], env: RunnerEnv, code: int
) -> int:
    record.refresh_from_db()
    final = record.to_task_result(result.task)
    task_finished.send(sender=type(result.task.get_backend()), task_result=final)
    write_termination_log(env.termination_log, summary)
    if code != EXIT_OK:
        print(
            f"k8s-tasks: task {record.id} attempt {summary['attempt']}: {summary['reason']}", file=sys.stderr
        )
    return code


def main(result_id: str, environ: Mapping[str, str] | None = None) -> int:
    """Entry point shared by ``python -m k8s_tasks run`` and ``manage.py k8s_tasks_run``."""
    environ = os.environ if environ is None else environ
    try:
        return run_task(result_id, RunnerEnv.from_environ(environ))
    except UsageError as e:
        log = environ.get("K8S_TASKS_TERMINATION_LOG") or TERMINATION_LOG
        write_termination_log(log, {"id": result_id, "status": "NOT_RUN", "reason": str(e)})
        print(f"k8s-tasks: {e}", file=sys.stderr)
        return EXIT_USAGE
