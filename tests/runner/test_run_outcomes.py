"""The runner as a real subprocess: success, failure, return values, async, context, load errors."""

from pathlib import Path

from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from tests import tasks
from tests.runner.support import read_summary, run_runner


def test_success_writes_result_worker_and_termination_message(
    pod_env: dict[str, str], termination_log: Path
) -> None:
    result = tasks.add.enqueue(2, b=3)
    done = run_runner(pod_env, result.id)
    assert (done.returncode, done.stderr) == (0, "")
    result.refresh()  # written by another process
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 5
    assert result.worker_ids == ["task-pod-1"] and result.attempts == 1
    assert result.started_at and result.finished_at and result.started_at <= result.finished_at
    assert result.last_attempted_at == result.started_at and result.errors == []
    summary = read_summary(termination_log)
    assert summary == {
        "id": result.id,
        "attempt": 1,
        "task": "tests.tasks.add",
        "queue": "default",
        "status": "SUCCESSFUL",
    }


def test_failure_records_exception_path_and_traceback(pod_env: dict[str, str], termination_log: Path) -> None:
    result = tasks.fail.enqueue("boom")
    done = run_runner(pod_env, result.id)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"k8s-tasks: task {result.id} attempt 1: ValueError: boom"]
    fetched = tasks.fail.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED and fetched.finished_at is not None
    [error] = fetched.errors
    assert error.exception_class_path == "builtins.ValueError" and error.exception_class is ValueError
    assert "raise ValueError(message)" in error.traceback and error.traceback.endswith("ValueError: boom\n")
    assert TaskRecord.objects.get(pk=result.id).reason == "ValueError: boom"
    assert read_summary(termination_log)["reason"] == "ValueError: boom"


def test_return_value_is_normalised_like_django_tasks(pod_env: dict[str, str]) -> None:
    result = tasks.returns_tuple.enqueue()
    assert run_runner(pod_env, result.id).returncode == 0
    assert tasks.returns_tuple.get_result(result.id).return_value == [1, "two", [3, 4]]


def test_unserialisable_return_value_fails_the_task(pod_env: dict[str, str]) -> None:
    result = tasks.returns_object.enqueue()
    assert run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="3").returncode == 1
    fetched = tasks.returns_object.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED and fetched.attempts == 1  # not retried
    [error] = fetched.errors
    assert error.exception_class_path == "k8s_tasks.exceptions.InvalidTaskResult"
    assert issubclass(error.exception_class, TypeError)
    reason = TaskRecord.objects.get(pk=result.id).reason
    # Django's wording (normalize_json), then what and where
    assert reason.startswith(
        "InvalidTaskResult: The return value of tests.tasks.returns_object cannot be stored"
    )
    assert "(Unsupported type: <class 'object'>): return_value is <object object at" in reason


def test_async_function(pod_env: dict[str, str]) -> None:
    result = tasks.async_add.enqueue(20, 22)
    assert run_runner(pod_env, result.id).returncode == 0
    assert tasks.async_add.get_result(result.id).return_value == 42


def test_takes_context_sync_and_async(pod_env: dict[str, str]) -> None:
    sync_result = tasks.with_context.enqueue(7)
    async_result = tasks.async_with_context.enqueue()
    assert run_runner(pod_env, sync_result.id).returncode == 0
    assert run_runner(pod_env, async_result.id).returncode == 0
    assert tasks.with_context.get_result(sync_result.id).return_value == {
        "x": 7,
        "id": sync_result.id,
        "attempt": 1,
    }
    assert tasks.async_with_context.get_result(async_result.id).return_value == async_result.id


def test_task_that_cannot_be_imported_fails_with_reason(pod_env: dict[str, str]) -> None:
    record = TaskRecord.objects.create(
        task_path="tests.tasks.gone", queue_name="default", backend_name="default"
    )
    done = run_runner(pod_env, record.id)
    assert done.returncode == 1 and "cannot load task tests.tasks.gone" in done.stderr
    record.refresh_from_db()
    assert record.status == TaskResultStatus.FAILED and record.reason.startswith("cannot load task")
    assert record.errors[0]["exception_class_path"] == "builtins.ImportError"


def test_management_command_runs_the_task(pod_env: dict[str, str]) -> None:
    import subprocess
    import sys

    result = tasks.add.enqueue(1, 1)
    done = subprocess.run(
        [sys.executable, "-m", "django", "k8s_tasks_run", result.id],
        env=pod_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert tasks.add.get_result(result.id).return_value == 2
