"""The runner's reads and writes of its row, each surviving a broken database connection.

A read or write is retried with backoff while the database is away (``Database``), and a conditional
UPDATE that reports "not applied" after a retry is checked against the row: the first try may have
committed with its reply lost.
"""

import contextlib
import itertools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connections

from .clock import database_now
from .compat import TaskResultStatus
from .models import TaskRecord, error_entry

DEFAULT_DB_RETRY_SECONDS = 60
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)  # seconds between tries; then 5 s each until the bound
# The payload columns: loaded on the runner's own terms (a row nested 5,000 deep must not crash it); and
# the stored output, which the runner writes and never reads.
PAYLOAD = ("args", "kwargs", "return_value", "log_tail")
_SCHEMA_ERRORS = ("no such table", "no such column")  # not the database being away: not retried
MAX_REASON = 500
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database stayed unreachable past K8S_TASKS_DB_RETRY_SECONDS (exit code 3)."""


def short_reason(exception: BaseException) -> str:
    text = f"{type(exception).__qualname__}: {exception}".strip().splitlines()
    line = text[0] if text else type(exception).__qualname__
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 3] + "..."


@dataclass
class Database:
    """Reads and writes of the row, retried while the database is unreachable.

    ``OperationalError`` and ``InterfaceError`` (a killed backend, a restart, a network cut, a locked
    SQLite file) close the connection and retry after 0.2, 0.5, 1, 2, 5, 5, ... seconds, for up to
    ``seconds`` in all; then DatabaseUnavailable. Other errors (and SQLite's "no such table") are not the
    database being away: they pass at once.
    """

    seconds: float = DEFAULT_DB_RETRY_SECONDS
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    retried: list[str] = field(default_factory=list)  # one line per retry, as printed
    log_tail: Callable[[], str | None] = lambda: None
    """The task's output so far (k8s_tasks.tee), stored in the UPDATE of each outcome; None stores none."""

    def read(self, what: str, operation: Callable[[], T], using: str | None = None) -> T:
        return self._run(what, operation, using)[0]

    def write(
        self, what: str, operation: Callable[[], bool], landed: Callable[[], bool], using: str | None = None
    ) -> bool:
        """A conditional UPDATE (``operation`` returns whether it applied). If it says "not applied" after
        a retry, the first try may have committed and lost its reply: ``landed`` re-reads the row and
        says whether it already is in the state this write sets, which then counts as applied."""
        applied, retried = self._run(what, operation, using)
        if applied or not retried:
            return applied
        return self.read(f"checking whether {what} applied", landed, using)

    def _run(self, what: str, operation: Callable[[], T], using: str | None) -> tuple[T, bool]:
        deadline = self.clock() + self.seconds
        for tries in itertools.count():
            try:
                return operation(), tries > 0
            except (OperationalError, InterfaceError) as error:
                if str(error).startswith(_SCHEMA_ERRORS):  # SQLite says these with OperationalError too
                    raise
                delay = min(RETRY_DELAYS[min(tries, len(RETRY_DELAYS) - 1)], deadline - self.clock())
                _close(using)
                if delay <= 0:
                    raise DatabaseUnavailable(
                        f"the database stayed unreachable for {self.seconds:g} s while {what}; last error: "
                        f"{short_reason(error)} (K8S_TASKS_DB_RETRY_SECONDS sets how long to retry)"
                    ) from error
                line = (
                    f"k8s-tasks: database error while {what}: {short_reason(error)}; retrying in {delay:g} s"
                )
                self.retried.append(line)
                print(line, file=sys.stderr, flush=True)
                self.sleep(delay)
        raise AssertionError("itertools.count() ended")


def _close(using: str | None) -> None:
    """Drop the broken connection (all of them if the alias is not known); the next query reconnects."""
    for alias in [using] if using else list(connections):
        with contextlib.suppress(Exception):
            connections[alias].close()


def _state_fields() -> list[str]:
    """The row's columns but the payloads: what the runner reloads to see the state."""
    return [f.attname for f in TaskRecord._meta.concrete_fields if f.attname not in PAYLOAD]


def refresh(db: Database, record: TaskRecord, *extra: str) -> None:
    fields = [*_state_fields(), *extra]
    db.read("reading the task", lambda: record.refresh_from_db(fields=fields), record._state.db)


def _landed(record: TaskRecord, state: Callable[[TaskRecord], bool]) -> Callable[[], bool]:
    """For Database.write: reload the row's state into ``record``; is it the state the write sets?"""

    def check() -> bool:
        record.refresh_from_db(fields=_state_fields())
        return state(record)

    return check


def _is(status: str, attempt: int, error: tuple[str, str] | None = None) -> Callable[[TaskRecord], bool]:
    """The row is at ``status`` and ``attempt`` (and its last error is ``error``, path and traceback)."""
    entry = error_entry(*error) if error else None

    def state(row: TaskRecord) -> bool:
        if row.status != status or row.attempt != attempt:
            return False
        return entry is None or (bool(row.errors) and row.errors[-1] == entry)

    return state


# -- the runner's writes: each one Database.write, with what "already applied" looks like ----------------


def mark_running(db: Database, record: TaskRecord, worker_id: str, attempt: int) -> bool:
    running = _is(TaskResultStatus.RUNNING, attempt)
    return db.write(
        "marking it RUNNING",
        lambda: record.set_running(worker_id, attempt),
        _landed(record, lambda row: running(row) and row.worker_ids[-1:] == [worker_id]),
        record._state.db,
    )


def write_successful(db: Database, record: TaskRecord, value: Any) -> bool:
    return db.write(
        "writing the result",
        lambda: record.set_successful(value, log_tail=db.log_tail()),
        _landed(record, _is(TaskResultStatus.SUCCESSFUL, record.attempt)),
        record._state.db,
    )


def write_failed(db: Database, record: TaskRecord, path: str, tb: str, reason: str, attempt: int) -> bool:
    return db.write(
        "writing the failure",
        lambda: record.set_failed(path, tb, reason, attempt=attempt, log_tail=db.log_tail()),
        _landed(record, _is(TaskResultStatus.FAILED, attempt, (path, tb))),
        record._state.db,
    )


def write_retry(
    db: Database, record: TaskRecord, attempt: int, delay: timedelta, path: str, tb: str, reason: str
) -> bool:
    """READY for the next attempt (or FAILED, if a cancel was requested meanwhile), ``delay`` from now by
    the database's clock: a node whose clock runs ahead must not postpone the retry."""
    now = db.read("reading the database clock", lambda: database_now(record._state.db or "default"))
    scheduled = _is(TaskResultStatus.READY, attempt + 1, (path, tb))
    cancelled = _is(TaskResultStatus.FAILED, attempt, (path, tb))
    return db.write(
        "scheduling the retry",
        lambda: record.retry(
            attempt=attempt,
            run_after=now + delay,
            infrastructure=False,
            exception_class_path=path,
            traceback=tb,
            reason=reason,
            log_tail=db.log_tail(),
        ),
        _landed(record, lambda row: scheduled(row) or cancelled(row)),
        record._state.db,
    )


def write_pending_reason(db: Database, record: TaskRecord, reason: str, attempt: int) -> bool:
    return db.write(
        "writing the reason",
        lambda: record.set_pending_reason(reason, attempt=attempt),
        _landed(record, lambda row: row.attempt == attempt and row.reason == reason),
        record._state.db,
    )
