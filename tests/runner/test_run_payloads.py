"""The runner as a real subprocess: return values that cannot be stored fail the task once, never to run
again; arguments that cannot be loaded fail it with a reason instead of crashing the runner."""

from pathlib import Path

import pytest
from django.db import connection

from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from tests import tasks
from tests.runner import task_functions
from tests.runner.support import read_summary, run_runner


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("nul", "return_value['text'] is a string that holds a NUL character ('\\x00') at index 6"),
        ("surrogate", "return_value[1] is a string that holds the lone surrogate '\\ud800' at index 0"),
        ("big", "it is 1,048,578 bytes of JSON, over the limit of 1,048,576 bytes"),
        ("deep", "return_value" + "[0]" * 32 + " is nested 33 levels deep, over the limit of 32"),
    ],
)
def test_a_return_value_that_cannot_be_stored_fails_once_and_is_never_run_again(
    pod_env: dict[str, str], termination_log: Path, tmp_path: Path, kind: str, where: str
) -> None:
    side_effect = tmp_path / "calls"
    result = task_functions.returns.enqueue(str(side_effect), kind)
    done = run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="3", K8S_TASKS_RETRY_DELAY_SECONDS="0")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr  # handled, not a crash
    record = TaskRecord.objects.get(pk=result.id)
    assert (record.status, record.attempt, record.worker_ids) == ("FAILED", 1, ["task-pod-1"])
    [error] = record.errors
    assert error["exception_class_path"] == "k8s_tasks.exceptions.InvalidTaskResult"
    head = "InvalidTaskResult: The return value of tests.runner.task_functions.returns cannot be stored: "
    assert record.reason.startswith(head) and where in record.reason
    assert read_summary(termination_log)["status"] == "FAILED"
    again = run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="3")
    assert again.returncode == 2 and "is already FAILED; it is not run again" in again.stderr
    assert side_effect.read_text() == "ran\n"  # the task ran once


def insert_raw_arguments(args_json: str) -> str:
    """A row whose args column holds ``args_json`` as written by something other than enqueue."""
    record = TaskRecord.objects.create(
        task_path=tasks.echo.module_path, queue_name="default", backend_name="default"
    )
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TaskRecord._meta.db_table} SET args = %s{cast} WHERE id = %s", [args_json, record.pk]
        )
    return str(record.pk)


def test_arguments_nested_too_deep_to_load_fail_the_task_with_a_reason(
    pod_env: dict[str, str], termination_log: Path
) -> None:
    # PostgreSQL keeps 5,000 levels, which json.loads cannot decode; SQLite's JSON check stops at 1,000
    # levels, which json.loads decodes but Django's normalize_json cannot walk.
    depth = 5000 if connection.vendor == "postgresql" else 999
    task_id = insert_raw_arguments("[" + "[" * depth + "]" * depth + "]")
    done = run_runner(pod_env, task_id)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    record = TaskRecord.objects.defer("args").get(pk=task_id)
    assert record.status == TaskResultStatus.FAILED and record.worker_ids == ["task-pod-1"]
    prefix = f"cannot load the arguments of task {task_id}: nested deeper than Python"
    assert record.reason.startswith(prefix), record.reason
    assert record.errors[0]["exception_class_path"] == "builtins.RecursionError"
    assert read_summary(termination_log)["reason"].startswith(prefix)


def test_arguments_of_the_wrong_shape_fail_the_task_with_a_reason(pod_env: dict[str, str]) -> None:
    task_id = insert_raw_arguments('{"not": "a list"}')
    done = run_runner(pod_env, task_id)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    record = TaskRecord.objects.get(pk=task_id)
    assert record.status == TaskResultStatus.FAILED
    assert record.reason == (
        f"cannot load the arguments of task {task_id}: args must be a JSON list and kwargs an object, "
        "not dict and dict"
    )
