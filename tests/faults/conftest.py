"""Fixtures of the fault tests: the end-to-end ones (local cluster, real operator) plus the ledgers."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import Operator
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster


@pytest.fixture
def signals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """task_finished, one line each, from every process (this one too)."""
    path = tmp_path / "signals"
    monkeypatch.setenv("K8S_TASKS_SIGNAL_LEDGER", str(path))
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return tmp_path / "ledger"


@pytest.fixture
def fault_env(operator_env: dict[str, str], signals: Path) -> dict[str, str]:
    env = dict(operator_env)
    env["K8S_TASKS_SIGNAL_LEDGER"] = str(signals)
    env["K8S_TASKS_POD_ENV"] += ",K8S_TASKS_SIGNAL_LEDGER"
    env["K8S_TASKS_RESYNC_SECONDS"] = "1"
    return env


@pytest.fixture
def operator(api: client.ApiClient, fault_env: dict[str, str], tmp_path: Path) -> Iterator[Operator]:
    """The real operator (not started: each test starts, kills and restarts it as its case needs)."""
    running = Operator(fault_env, tmp_path / "operator.log")
    yield running
    running.stop()
    sys.stdout.write(
        f"\n--- operator log (last 80 lines) ---\n{''.join(running.log().splitlines(True)[-80:])}"
    )


def status(task_id: str) -> str:
    return str(TaskRecord.objects.filter(pk=task_id).values_list("status", flat=True).first())


def all_final(ids: list[str]) -> bool:
    return not TaskRecord.objects.filter(pk__in=ids).exclude(status__in=["SUCCESSFUL", "FAILED"]).exists()


def unfinished(ids: list[str]) -> list[str]:
    rows = TaskRecord.objects.filter(pk__in=ids).exclude(status__in=["SUCCESSFUL", "FAILED"])
    return [f"{r.pk} {r.status} attempt {r.attempt} {r.reason[:80]!r}" for r in rows[:5]]


def wait_all_final(ids: list[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not all_final(ids):
        assert time.monotonic() < deadline, f"after {timeout}s, not finished: {unfinished(ids)}"
        time.sleep(0.2)


def probe_dispatches(queue: str, ledger: Path, timeout: float = 60.0) -> None:
    """No slot leaked: one more task on the queue still runs to the end."""
    from tests.faults import tasks

    result = tasks.step.using(queue_name=queue).enqueue(str(ledger), 0.0)
    wait_until(lambda: status(result.id) == "SUCCESSFUL", timeout=timeout, what=f"a probe task on {queue}")
