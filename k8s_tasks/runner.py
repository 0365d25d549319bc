"""Run one task in a task pod: ``python -m k8s_tasks run <result-id>``.

Exit codes: 0 the task succeeded, 1 it failed (or was cancelled; a retry may be scheduled), 2 usage or
state error (unknown id, finished, another runner has this attempt), 3 the database stayed unreachable
(K8S_TASKS_DB_RETRY_SECONDS) so the outcome is not written (the operator decides), 143 SIGTERM while running.

Every read and write of the row survives a broken database connection: it is retried with backoff
(``Database``), and a conditional UPDATE that reports "not applied" after a retry is checked against the
row, since the first try may have committed with its reply lost.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from inspect import iscoroutinefunction
from pathlib import Path
from types import FrameType
from typing import Any, cast

from django.db.models import TextField
from django.db.models.functions import Cast

from .arguments import DEFAULT_RESULT_LIMITS, PayloadLimits, json_result
from .compat import Task, TaskContext, TaskResult, TaskResultDoesNotExist, task_finished, task_started
from .conf import log_tail_bytes
from .exceptions import InvalidTaskResult, PodTerminated, TaskCancelled
from .lookup import find_record
from .models import FINISHED, TaskRecord
from .podstart import where_code_is_found
from .rowio import (
    DEFAULT_DB_RETRY_SECONDS,
    PAYLOAD,
    Database,
    DatabaseUnavailable,
    mark_running,
    refresh,
    short_reason,
    write_failed,
    write_pending_reason,
    write_retry,
    write_successful,
)
from .tee import captured_output

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE, EXIT_TERMINATED = 0, 1, 2, 3, 143
TERMINATION_LOG = "/dev/termination-log"
MAX_TERMINATION_MESSAGE = 4096  # bytes Kubernetes keeps of a termination message
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
    db_retry_seconds: int = DEFAULT_DB_RETRY_SECONDS
    """How long a read or write of the row is retried while the database is unreachable."""
    own_task_id: str = ""
    """The task this pod runs, from its own annotation (downward API, K8S_TASKS_TASK_ID); "" outside a pod."""
    own_job_name: str = ""
    """The pod's Job, from its job-name label (downward API, K8S_TASKS_JOB_NAME); "" outside a pod."""

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
            db_retry_seconds=_int_env(
                environ, "K8S_TASKS_DB_RETRY_SECONDS", DEFAULT_DB_RETRY_SECONDS, minimum=0
            )
            or 0,
            own_task_id=environ.get("K8S_TASKS_TASK_ID", ""),
            own_job_name=environ.get("K8S_TASKS_JOB_NAME", ""),
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


# -- helpers ---------------------------------------------------------------------------------------------


def should_retry(record: TaskRecord, attempt: int, max_attempts: int) -> bool:
    """The task's own failures spend its attempts; infrastructure re-runs (infra_retries) do not."""
    return attempt - record.infra_retries < max_attempts


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


class _BadArguments(Exception):
    """The row's args / kwargs cannot be loaded; the message says why, the cause is the original error."""


def load_arguments(db: Database, record: TaskRecord, max_depth: int) -> tuple[list[Any], dict[str, Any]]:
    """The row's args and kwargs, decoded here rather than by the ORM so that a row that cannot be decoded
    (nested 5,000 deep, written around enqueue's checks) ends the task with a reason, not a crash."""
    rows = TaskRecord._default_manager.using(record._state.db).filter(pk=record.pk)
    texts = rows.values_list(Cast("args", TextField()), Cast("kwargs", TextField()))
    args_text, kwargs_text = db.read("reading the arguments", texts.get, record._state.db)
    try:
        args, kwargs = json.loads(args_text), json.loads(kwargs_text)
    except RecursionError as error:
        raise _BadArguments(
            f"nested deeper than Python's json can decode (RecursionError); enqueue refuses arguments nested "
            f"more than {max_depth} levels (MAX_NESTING_DEPTH), so this row was written another way"
        ) from error
    except ValueError as error:
        raise _BadArguments(f"they are not valid JSON ({short_reason(error)})") from error
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        why = (
            f"args must be a JSON list and kwargs an object, not {type(args).__name__} and "
            f"{type(kwargs).__name__}"
        )
        raise _BadArguments(why) from TypeError(why)
    return args, kwargs


def _result_limits(task: Task) -> PayloadLimits:
    limits = getattr(task.get_backend(), "result_limits", DEFAULT_RESULT_LIMITS)
    return cast(PayloadLimits, limits)


def _call(result: TaskResult) -> Any:
    task = result.task
    args: list[Any] = list(result.args)
    if task.takes_context:
        args.insert(0, TaskContext(task_result=result))
    if iscoroutinefunction(task.func):
        return asyncio.run(task.func(*args, **result.kwargs))
    return task.func(*args, **result.kwargs)


def _raise_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the same SIGTERM may come to the process group
    raise _SigTerm()  # and, passed on by the output's supervisor (k8s_tasks.tee), to this process again


def run_task(result_id: str, env: RunnerEnv, db: Database | None = None) -> int:
    """Claim this attempt of the task, run it, write the outcome; returns the process exit code. The
    output (fds 1 and 2) is teed meanwhile: its tail is stored with the outcome (LOG_TAIL_BYTES)."""
    db = db or Database(env.db_retry_seconds)
    try:
        record = db.read("reading the task", lambda: find_record(result_id, defer=PAYLOAD))
    except TaskResultDoesNotExist as e:
        raise UsageError(f"no task result with id {result_id!r} in the task database") from e
    with captured_output(log_tail_bytes(record.backend_name)) as tail:
        db.log_tail = tail
        return _run(result_id, record, env, db)


def _run(result_id: str, record: TaskRecord, env: RunnerEnv, db: Database) -> int:
    summary: dict[str, Any] = {"id": result_id}
    attempt = env.attempt or record.attempt
    summary.update(attempt=attempt, task=record.task_path, queue=record.queue_name)
    check_own(result_id, record, env)
    if record.status in FINISHED:
        raise UsageError(f"task {result_id} is already {record.status}; it is not run again")
    if record.cancel_requested:
        write_failed(db, record, CANCELLED_PATH, "Cancelled before it started.\n", "cancelled", attempt)
        task = _loaded_or_none(db, record)
        return _finish(
            db, record, task, {**summary, "status": "FAILED", "reason": "cancelled"}, env, EXIT_FAILED
        )
    if not mark_running(db, record, env.worker_id, attempt):
        refresh(db, record)
        raise UsageError(
            f"task {result_id} attempt {attempt} is not runnable: it is {record.status} at attempt "
            f"{record.attempt} (another runner has it, or it finished)"
        )
    try:
        task = record.get_task()
    except Exception as error:  # the task cannot even be imported from this image: no Task, no signal
        reason = f"cannot load task {record.task_path}: {short_reason(error)}"
        if isinstance(error, ImportError):
            reason += f". {where_code_is_found(os.environ)}"
        write_failed(
            db, record, class_path(error), "".join(traceback.format_exception(error)), reason, attempt
        )
        write_termination_log(env.termination_log, {**summary, "status": "FAILED", "reason": reason})
        print(f"k8s-tasks: task {result_id} attempt {attempt}: {reason}", file=sys.stderr)
        return EXIT_FAILED
    limits = _result_limits(task)
    try:
        record.args, record.kwargs = load_arguments(db, record, limits.max_depth)
        result = record.to_task_result(task)
    except DatabaseUnavailable:
        raise
    except Exception as error:
        # Not retried: the row will not change. task_finished goes out with the arguments left empty.
        original: BaseException = error
        if isinstance(error, _BadArguments):
            why, original = str(error), error.__cause__ or error  # the decoder's error is recorded
        elif isinstance(error, RecursionError):  # decoded, but too deep for Django's normalize_json
            why = f"nested deeper than Python can handle ({short_reason(error)})"
        else:
            why = short_reason(error)
        reason = f"cannot load the arguments of task {result_id}: {why}"
        tb = "".join(traceback.format_exception(original))
        write_failed(db, record, class_path(original), tb, reason, attempt)
        record.args, record.kwargs = [], {}
        return _finish(db, record, task, {**summary, "status": "FAILED", "reason": reason}, env, EXIT_FAILED)
    task_started.send(sender=type(task.get_backend()), task_result=result)

    previous = signal.signal(signal.SIGTERM, _raise_sigterm)
    try:
        try:
            raw = _call(result)
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finish writing the outcome undisturbed
    except _SigTerm as stop:
        refresh(db, record)
        if env.managed:
            # Under the operator, Kubernetes knows why (eviction, deadline, node drain, a cancel): the
            # operator writes the verdict when the Job ends or is gone (a cancel only once its pods are
            # gone), possibly a retry. The row says what happened so far.
            why = (
                "cancel requested: stopped by SIGTERM; the operator records the cancellation once the Job "
                "is gone"
                if record.cancel_requested
                else "terminated by SIGTERM; the operator records the cause once the Job ends"
            )
            write_pending_reason(db, record, why, attempt)
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
        write_failed(db, record, path, f"{tb}{path}: {why}\n", why, attempt)
        return _finish(db, record, task, {**summary, "status": "FAILED", "reason": why}, env, EXIT_TERMINATED)
    except BaseException as error:  # the task's own failure, as django.tasks records it
        if isinstance(error, KeyboardInterrupt):
            raise
        tb = "".join(traceback.format_exception(error))
        reason = short_reason(error)
        if should_retry(record, attempt, env.max_attempts):
            why = f"attempt {attempt} failed, will retry: {reason}"
            write_retry(db, record, attempt, env.retry_delay, class_path(error), tb, why)
            status = "READY"
        else:
            write_failed(db, record, class_path(error), tb, reason, attempt)
            status = "FAILED"
        return _finish(db, record, task, {**summary, "status": status, "reason": reason}, env, EXIT_FAILED)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        value = json_result(task.module_path, raw, limits)
    except InvalidTaskResult as error:  # the task ran: it fails with this, and is never run again for it
        reason = short_reason(error)
        tb = "".join(traceback.format_exception(error))
        write_failed(db, record, class_path(error), tb, reason, attempt)
        return _finish(db, record, task, {**summary, "status": "FAILED", "reason": reason}, env, EXIT_FAILED)
    if not write_successful(db, record, value):
        refresh(db, record)
        why = f"result not recorded: the task is now {record.status} ({record.reason or 'no reason given'})"
        raise UsageError(f"task {result_id}: {why}")
    return _finish(db, record, task, {**summary, "status": "SUCCESSFUL"}, env, EXIT_OK)


def check_own(result_id: str, record: TaskRecord, env: RunnerEnv) -> None:
    """A task pod runs only the task and attempt its own pod names: the id and the attempt from its
    annotations and the Job from its job-name label (downward API; a profile cannot change them), whatever
    its command line says."""
    if env.own_task_id and result_id != env.own_task_id:
        raise UsageError(
            f"this pod runs task {env.own_task_id!r} (its k8stasks.io/task-id annotation); asked to run "
            f"{result_id!r}: refused"
        )
    if env.own_job_name and record.job_name != env.own_job_name:
        raise UsageError(
            f"this pod belongs to Job {env.own_job_name!r}, but task {result_id} attempt {record.attempt} is "
            f"dispatched as Job {record.job_name or '(none)'!r}: refused"
        )


def _loaded_or_none(db: Database, record: TaskRecord) -> Task | None:
    """The task with its arguments on ``record``, for task_finished; None if either cannot be loaded."""
    try:
        task = record.get_task()
        record.args, record.kwargs = load_arguments(db, record, _result_limits(task).max_depth)
    except Exception:
        return None
    return task


def _finish(
    db: Database, record: TaskRecord, task: Task | None, summary: dict[str, Any], env: RunnerEnv, code: int
) -> int:
    """Send task_finished if the row is now terminal (once: never for a scheduled retry), write the
    termination message and the log line. Without a Task (it cannot be imported) no signal is sent."""
    try:
        refresh(db, record, "return_value")
    except DatabaseUnavailable as error:  # the outcome is written; only the signal is lost
        print(f"k8s-tasks: task {record.id}: task_finished not sent: {error}", file=sys.stderr)
    else:
        if task is not None and record.status in FINISHED:
            task_finished.send(sender=type(task.get_backend()), task_result=record.to_task_result(task))
    write_termination_log(env.termination_log, summary)
    if code != EXIT_OK:
        print(
            f"k8s-tasks: task {record.id} attempt {summary['attempt']}: {summary['reason']}", file=sys.stderr
        )
    return code


def main(result_id: str, environ: Mapping[str, str] | None = None) -> int:
    """Entry point shared by ``python -m k8s_tasks run`` and ``manage.py k8s_tasks_run``."""
    environ = os.environ if environ is None else environ
    log = environ.get("K8S_TASKS_TERMINATION_LOG") or TERMINATION_LOG
    try:
        return run_task(result_id, RunnerEnv.from_environ(environ))
    except UsageError as e:
        write_termination_log(log, {"id": result_id, "status": "NOT_RUN", "reason": str(e)})
        print(f"k8s-tasks: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as e:
        write_termination_log(log, {"id": result_id, "status": "DATABASE_UNAVAILABLE", "reason": str(e)})
        print(f"k8s-tasks: task {result_id}: {e}; the outcome is not written", file=sys.stderr)
        return EXIT_DATABASE
