"""Faults of the database and of clocks (issue 12, cases 3 and 7): writes that fail are retried, never
dropped; every time comparison uses the database's clock, so a process whose clock is wrong decides right.
PostgreSQL only: SQLite has no server connections to kill, and one operator per file."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import Operator, QueueFactory
from tests.faults import tasks
from tests.faults.conftest import status, wait_all_final
from tests.faults.ledger import assert_invariant
from tests.waiting import wait_until

pytestmark = pytest.mark.postgres_only


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def kill_connections_for(seconds: float, every: float, spare: int) -> int:
    """pg_terminate_backend on every connection to this test's database but this thread's and `spare`
    (the test's own), every `every` seconds. Runs in a thread of its own (its own connection)."""
    killed = 0
    deadline = time.monotonic() + seconds
    try:
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                    [spare],
                )
                killed += cursor.fetchone()[0]
                time.sleep(every)  # the fault's own rhythm, not a wait for a condition
    finally:
        connection.close()
    return killed


def test_3_connections_killed_while_jobs_end(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """Every database connection but the test's killed every 0.4 s for 12 s while 10 Jobs end (5 of them
    without a result, for the operator to write): no row stays RUNNING."""
    make_queue("default", concurrency=10, retries={"attempts": 2, "backoffSeconds": 0.2})
    operator.start()
    gate = ledger.with_name("gate")
    ids = [tasks.step.enqueue(str(ledger), 0, exit_attempts=i % 2, gate=str(gate)).id for i in range(10)]
    wait_until(lambda: all(status(i) == "RUNNING" for i in ids), timeout=60, what="all 10 running")
    killed: list[int] = []
    spare = backend_pid()
    killer = threading.Thread(target=lambda: killed.append(kill_connections_for(12, 0.4, spare)))
    killer.start()
    gate.touch()
    killer.join()
    assert killed[0] > 10, "the fault must have hit connections"
    wait_all_final(ids, timeout=120)
    rows = list(TaskRecord.objects.filter(pk__in=ids))
    assert all(r.status == "SUCCESSFUL" for r in rows), [(r.pk, r.status, r.reason) for r in rows]
    assert_invariant(ids, ledger, signals, api)


def test_7_an_operator_whose_clock_runs_ahead(
    make_queue: QueueFactory,
    api: client.ApiClient,
    fault_env: dict[str, str],
    tmp_path: Path,
    ledger: Path,
) -> None:
    """A second operator whose clock is 700 s ahead does not fail pending tasks as 'not started within
    maxPendingSeconds=600' (it compares with the database's clock), nor run deferred ones early."""
    make_queue("gpu", nodeSelector={"pool": "gpu"}, resources={"limits": {"nvidia.com/gpu": 2}})
    make_queue("default")
    skewed_env = {**fault_env, "K8S_TASKS_TEST_CLOCK_SKEW": "700"}
    operators = [
        Operator(fault_env, tmp_path / "operator-a.log"),
        Operator(skewed_env, tmp_path / "operator-b.log", module="tests.faults.skewed"),
    ]
    try:
        for running in operators:
            running.start()
        for running in operators:
            running.wait_ready()
        pending = tasks.step.using(queue_name="gpu").enqueue(str(ledger), 0.1)
        deferred = tasks.step.using(run_after=timezone.now() + timedelta(seconds=300)).enqueue(
            str(ledger), 0.1
        )
        wait_until(
            lambda: TaskRecord.objects.get(pk=pending.id).reason.startswith("Unschedulable"),
            timeout=30,
            what="the scheduler's reason on the pending row",
        )
        skewed = operators[1]
        start = skewed.health()["dispatch"]["reconciles"]  # type: ignore[index]
        wait_until(
            lambda: (h := skewed.health()) and h["dispatch"]["reconciles"] >= start + 10,
            timeout=30,
            what="ten periodic passes of the skewed operator",
        )
        assert status(pending.id) == "READY", TaskRecord.objects.get(pk=pending.id).reason
        assert status(deferred.id) == "READY" and not TaskRecord.objects.get(pk=deferred.id).dispatched_at
    finally:
        for running in operators:
            running.stop()
            print(f"--- {running.log_path.name} ---\n{running.log()[-6000:]}")
