"""task_finished from the runner subprocess: once, and only when the result it wrote is terminal."""

from pathlib import Path

import pytest
from django.db import connection

from k8s_tasks.models import TaskRecord
from tests.runner import task_functions
from tests.runner.support import run_runner


@pytest.fixture
def signals(pod_env: dict[str, str], tmp_path: Path) -> Path:
    """The file the runner's task_finished receiver (tests.runner.task_functions) appends to."""
    path = tmp_path / "signals"
    pod_env[task_functions.SIGNALS_ENV] = str(path)
    return path


def sent(signals: Path) -> list[str]:
    return signals.read_text().splitlines() if signals.exists() else []


def test_success_sends_task_finished_once(pod_env: dict[str, str], signals: Path, tmp_path: Path) -> None:
    result = task_functions.returns.enqueue(str(tmp_path / "calls"), "fine")
    assert run_runner(pod_env, result.id).returncode == 0
    assert sent(signals) == [f"{result.id} SUCCESSFUL"]


def test_a_scheduled_retry_sends_nothing_and_the_final_failure_sends_once(
    pod_env: dict[str, str], signals: Path, tmp_path: Path
) -> None:
    result = task_functions.fails.enqueue(str(tmp_path / "calls"), "flaky")
    assert run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="2").returncode == 1
    assert TaskRecord.objects.get(pk=result.id).status == "READY"
    assert sent(signals) == []
    assert run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="2", POD_NAME="task-pod-2").returncode == 1
    assert sent(signals) == [f"{result.id} FAILED"]


def test_a_return_value_that_cannot_be_stored_sends_failed_once(
    pod_env: dict[str, str], signals: Path, tmp_path: Path
) -> None:
    result = task_functions.returns.enqueue(str(tmp_path / "calls"), "nul")
    assert run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="3").returncode == 1
    assert sent(signals) == [f"{result.id} FAILED"]


def test_a_task_cancelled_before_it_started_sends_failed_once(
    pod_env: dict[str, str], signals: Path, tmp_path: Path
) -> None:
    result = task_functions.returns.enqueue(str(tmp_path / "calls"), "fine")
    TaskRecord.objects.filter(pk=result.id).update(cancel_requested=True)
    assert run_runner(pod_env, result.id).returncode == 1
    assert sent(signals) == [f"{result.id} FAILED"] and not (tmp_path / "calls").exists()


def test_arguments_that_cannot_be_loaded_send_failed_once(pod_env: dict[str, str], signals: Path) -> None:
    record = TaskRecord.objects.create(
        task_path=task_functions.returns.module_path, queue_name="default", backend_name="default"
    )
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TaskRecord._meta.db_table} SET args = %s{cast} WHERE id = %s", ["{}", record.pk]
        )
    assert run_runner(pod_env, record.pk).returncode == 1
    assert sent(signals) == [f"{record.pk} FAILED"]
