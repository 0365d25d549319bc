"""The runner against database faults: a killed connection, a database that refuses connections for a
while or for good, a commit whose reply was lost; and the retry's run_after by the database's clock."""

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection

from k8s_tasks.clock import database_now
from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from k8s_tasks.rowio import (
    PAYLOAD,
    Database,
    DatabaseUnavailable,
    mark_running,
    write_failed,
    write_retry,
    write_successful,
)
from tests import tasks
from tests.runner import task_functions
from tests.runner.support import RUN_TIMEOUT, read_summary, run_runner
from tests.waiting import wait_until

# -- PostgreSQL: the runner's own connection killed, the database away for a while ------------------------


class Runner:
    """A runner subprocess whose PostgreSQL connections carry their own application_name, with its stderr
    in a file that the test can read while it runs."""

    def __init__(self, env: dict[str, str], result_id: str, tmp_path: Path, **extra: str) -> None:
        self.name = f"k8s-tasks-runner-{uuid.uuid4().hex[:12]}"
        self.stderr_path = tmp_path / "runner.stderr"
        with self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "k8s_tasks", "run", result_id],
                env={**env, "PGAPPNAME": self.name, **extra},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def backends(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.name])
            return [pid for (pid,) in cursor.fetchall()]

    def kill_connections(self) -> None:
        """pg_terminate_backend every connection of the runner, and wait until they are gone."""
        pids = wait_until(self.backends, what="the runner's database connection")
        with connection.cursor() as cursor:
            for pid in pids:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        wait_until(lambda: not self.backends(), what="the runner's connection to be terminated")

    def wait(self) -> int:
        return self.process.wait(RUN_TIMEOUT)


@pytest.fixture
def refuse_connections() -> Iterator[Callable[[bool], None]]:
    """refuse(True): the test database takes no new connections; existing ones, like this test's, stay.
    (PostgreSQL changes that only from a connection to another database.)"""
    settings = connection.settings_dict
    admin = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname="postgres",
        autocommit=True,
    )
    name = settings["NAME"]

    def refuse(on: bool) -> None:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"false" if on else "true"}')

    try:
        yield refuse
    finally:
        refuse(False)
        admin.close()


@pytest.fixture
def runners() -> Iterator[list["Runner"]]:
    """The runner subprocesses a test starts; any still running at the end is killed."""
    started: list[Runner] = []
    yield started
    for runner in started:
        if runner.process.poll() is None:
            runner.process.kill()
            runner.process.wait(RUN_TIMEOUT)


def started(
    runners: list[Runner], pod_env: dict[str, str], tmp_path: Path, **extra: str
) -> tuple[Runner, str, Path, Path]:
    """A runner on a task that waits, after it is RUNNING, until the test creates the release file."""
    side_effect, marker, release = tmp_path / "calls", tmp_path / "running", tmp_path / "release"
    result = task_functions.wait_for_release.enqueue(str(side_effect), str(marker), str(release), "done")
    runner = Runner(pod_env, result.id, tmp_path, **extra)
    runners.append(runner)
    wait_until(marker.exists, what="the task to start")
    return runner, result.id, side_effect, release


def assert_written_once(task_id: str, side_effect: Path) -> None:
    record = TaskRecord.objects.get(pk=task_id)
    assert (record.status, record.return_value, record.attempt) == ("SUCCESSFUL", "done", 1)
    assert record.worker_ids == ["task-pod-1"] and record.errors == []
    assert side_effect.read_text() == "ran\n"


@pytest.mark.postgres_only
def test_the_result_is_written_once_after_the_runners_connection_is_killed(
    pod_env: dict[str, str], tmp_path: Path, runners: list[Runner]
) -> None:
    runner, task_id, side_effect, release = started(runners, pod_env, tmp_path)
    runner.kill_connections()
    release.touch()
    assert runner.wait() == 0, runner.stderr
    assert "k8s-tasks: database error while writing the result: OperationalError" in runner.stderr
    assert "; retrying in 0.2 s" in runner.stderr
    assert_written_once(task_id, side_effect)


@pytest.mark.postgres_only
def test_the_runner_waits_with_backoff_while_the_database_refuses_connections(
    pod_env: dict[str, str], tmp_path: Path, refuse_connections: Callable[[bool], None], runners: list[Runner]
) -> None:
    runner, task_id, side_effect, release = started(runners, pod_env, tmp_path)
    refuse_connections(True)
    runner.kill_connections()
    release.touch()
    wait_until(lambda: runner.stderr.count("retrying in") >= 3, what="three retries", timeout=30)
    refuse_connections(False)
    assert runner.wait() == 0, runner.stderr
    assert "retrying in 0.2 s" in runner.stderr and "retrying in 0.5 s" in runner.stderr
    assert "retrying in 1 s" in runner.stderr
    assert_written_once(task_id, side_effect)


@pytest.mark.postgres_only
def test_past_the_bound_the_runner_exits_3_saying_so_and_writes_nothing(
    pod_env: dict[str, str], tmp_path: Path, refuse_connections: Callable[[bool], None], runners: list[Runner]
) -> None:
    runner, task_id, side_effect, release = started(
        runners, pod_env, tmp_path, K8S_TASKS_DB_RETRY_SECONDS="1"
    )
    refuse_connections(True)
    runner.kill_connections()
    release.touch()
    assert runner.wait() == 3
    last = runner.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"k8s-tasks: task {task_id}: the database stayed unreachable for 1 s while writing the result; "
        "last error: OperationalError"
    )
    assert "(K8S_TASKS_DB_RETRY_SECONDS sets how long to retry); the outcome is not written" in last
    assert read_summary(Path(pod_env["K8S_TASKS_TERMINATION_LOG"]))["status"] == "DATABASE_UNAVAILABLE"
    refuse_connections(False)
    assert TaskRecord.objects.get(pk=task_id).status == TaskResultStatus.RUNNING  # the operator decides
    assert side_effect.read_text() == "ran\n"


# -- the retry helper, in this process (both databases) ---------------------------------------------------


class FakeTime:
    """Database's sleep and clock: sleeping advances the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def database(self, seconds: float = 60) -> Database:
        return Database(seconds, sleep=self.sleep, clock=lambda: self.now)


def test_reads_are_retried_with_backoff_then_give_up_past_the_bound(transactional_db: None) -> None:
    fake = FakeTime()

    def broken() -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(DatabaseUnavailable) as raised:
        fake.database(seconds=20).read("reading the task", broken)
    assert fake.sleeps == pytest.approx(
        [0.2, 0.5, 1.0, 2.0, 5.0, 5.0, 5.0, 1.3]
    )  # 20 s, the last try at 20 s
    assert str(raised.value) == (
        "the database stayed unreachable for 20 s while reading the task; last error: OperationalError: "
        "server closed the connection unexpectedly (K8S_TASKS_DB_RETRY_SECONDS sets how long to retry)"
    )


def test_a_read_that_recovers_returns_its_value_and_other_errors_are_not_retried(
    transactional_db: None,
) -> None:
    fake = FakeTime()
    answers: list[Any] = [OperationalError("gone"), OperationalError("gone"), 42]

    def flaky() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    database = fake.database()
    assert database.read("reading", flaky) == 42 and fake.sleeps == [0.2, 0.5] and len(database.retried) == 2
    with pytest.raises(ValueError):
        database.read("reading", lambda: int("x"))

    def unmigrated() -> None:
        raise OperationalError("no such table: k8s_tasks_taskrecord")

    with pytest.raises(OperationalError, match="no such table"):
        database.read("reading", unmigrated)
    assert fake.sleeps == [0.2, 0.5]


@pytest.fixture
def running_record(transactional_db: None) -> TaskRecord:
    """A RUNNING task row (attempt 1, worker pod-a), as the runner holds it: payloads deferred. (The
    database is transactional: a broken connection is closed, which a test transaction would not survive.)"""
    result = tasks.add.enqueue(1, 2)
    assert TaskRecord.objects.get(pk=result.id).set_running("pod-a", 1)
    return TaskRecord.objects.defer(*PAYLOAD).get(pk=result.id)


def lose_the_reply(
    monkeypatch: pytest.MonkeyPatch, method: str, meanwhile: Callable[[TaskRecord], Any]
) -> None:
    """The first call of TaskRecord.<method> does ``meanwhile`` to the row (through another instance, as
    another process or a commit whose reply was lost would) and then fails as a broken connection does."""
    original = getattr(TaskRecord, method)
    calls: list[str] = []

    def flaky(self: TaskRecord, *args: Any, **kwargs: Any) -> Any:
        if not calls:
            calls.append("lost")
            meanwhile(TaskRecord.objects.get(pk=self.pk))
            raise OperationalError("server closed the connection unexpectedly")
        calls.append("retried")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TaskRecord, method, flaky)


def test_a_result_whose_commit_reply_was_lost_counts_as_written(
    running_record: TaskRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    lose_the_reply(monkeypatch, "set_successful", lambda row: row.set_successful(3))
    assert write_successful(FakeTime().database(), running_record, 3)
    assert running_record.status == TaskResultStatus.SUCCESSFUL
    assert TaskRecord.objects.get(pk=running_record.pk).return_value == 3


def test_a_result_refused_after_a_retry_because_the_operator_wrote_first_is_not_written(
    running_record: TaskRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    deadline = ("k8s_tasks.exceptions.PodDeadlineExceeded", "", "deadline exceeded")
    lose_the_reply(monkeypatch, "set_successful", lambda row: row.set_failed(*deadline, attempt=1))
    assert not write_successful(FakeTime().database(), running_record, 3)
    assert TaskRecord.objects.get(pk=running_record.pk).reason == "deadline exceeded"


def test_a_failure_counts_as_written_only_if_the_row_holds_this_error(
    running_record: TaskRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = ("builtins.ValueError", "Traceback ...\nValueError: boom\n", "ValueError: boom")
    lose_the_reply(monkeypatch, "set_failed", lambda row: row.set_failed(*mine, attempt=1))
    assert write_failed(FakeTime().database(), running_record, *mine, attempt=1)
    other = TaskRecord.objects.defer(*PAYLOAD).get(pk=tasks.add.enqueue(1, 1).id)
    assert other.set_running("pod-a", 1)
    operators = ("k8s_tasks.exceptions.PodOOMKilled", "", "OOMKilled")
    lose_the_reply(monkeypatch, "set_failed", lambda row: row.set_failed(*operators, attempt=1))
    assert not write_failed(FakeTime().database(), other, *mine, attempt=1)


def test_running_counts_as_marked_only_for_this_worker(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = TaskRecord.objects.defer(*PAYLOAD).get(pk=tasks.add.enqueue(1, 2).id)
    lose_the_reply(monkeypatch, "set_running", lambda row: row.set_running("pod-a", 1))
    assert mark_running(FakeTime().database(), record, "pod-a", 1)
    assert (record.status, record.worker_ids) == (TaskResultStatus.RUNNING, ["pod-a"])
    other = TaskRecord.objects.defer(*PAYLOAD).get(pk=tasks.add.enqueue(1, 2).id)
    lose_the_reply(monkeypatch, "set_running", lambda row: row.set_running("pod-b", 1))
    assert not mark_running(FakeTime().database(), other, "pod-a", 1)


def test_a_scheduled_retry_whose_reply_was_lost_counts_as_scheduled(
    running_record: TaskRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = ("builtins.ValueError", "tb\n", "attempt 1 failed, will retry: ValueError")

    def schedule(row: TaskRecord) -> None:
        assert row.retry(
            attempt=1,
            run_after=database_now(),
            infrastructure=False,
            exception_class_path=error[0],
            traceback=error[1],
            reason=error[2],
        )

    lose_the_reply(monkeypatch, "retry", schedule)
    assert write_retry(FakeTime().database(), running_record, 1, timedelta(0), *error)
    assert (running_record.status, running_record.attempt) == (TaskResultStatus.READY, 2)


# -- the retry's run_after comes from the database's clock ------------------------------------------------

SKEWED_RUNNER = """
import datetime, runpy, sys
import django.utils.timezone as tz
real_now = tz.now
tz.now = lambda: real_now() + datetime.timedelta(seconds=700)  # this node's clock runs 700 s ahead
sys.argv = ["k8s_tasks", "run", sys.argv[1]]
runpy.run_module("k8s_tasks", run_name="__main__", alter_sys=True)
"""


def test_a_retry_is_due_by_the_databases_clock_not_the_nodes(pod_env: dict[str, str]) -> None:
    result = tasks.fail.enqueue("flaky")
    env = {**pod_env, "K8S_TASKS_MAX_ATTEMPTS": "2", "K8S_TASKS_RETRY_DELAY_SECONDS": "30"}
    done = subprocess.run(
        [sys.executable, "-c", SKEWED_RUNNER, result.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    record = TaskRecord.objects.get(pk=result.id)
    assert (record.status, record.attempt) == ("READY", 2)
    assert record.run_after is not None
    due_in = record.run_after - database_now()
    assert timedelta(seconds=20) < due_in <= timedelta(seconds=30), due_in  # not 730 s


def test_a_bad_db_retry_seconds_is_a_usage_error(pod_env: dict[str, str]) -> None:
    done = run_runner(pod_env, "any", K8S_TASKS_DB_RETRY_SECONDS="soon")
    assert done.returncode == 2 and "K8S_TASKS_DB_RETRY_SECONDS='soon' is invalid" in done.stderr
