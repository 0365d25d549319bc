"""The django.tasks contract of Task and TaskResult on this backend."""

import json
import subprocess
import sys

import pytest

from k8s_tasks.compat import InvalidTask, TaskResultMismatch, TaskResultStatus, task
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db


def child(env: dict[str, str], code: str) -> str:
    script = f"import django, json\ndjango.setup()\nfrom tests import tasks\n{code}"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_enqueued_here_is_visible_in_another_process(subprocess_env: dict[str, str]) -> None:
    result = tasks.echo.using(priority=7).enqueue("a", n=1)
    seen = json.loads(
        child(
            subprocess_env,
            f"r = tasks.echo.get_result({result.id!r})\n"
            "print(json.dumps([r.status, r.args, r.kwargs, r.task.priority, r.task.module_path]))",
        )
    )
    assert seen == ["READY", ["a"], {"n": 1}, 7, "tests.tasks.echo"]


def test_enqueued_elsewhere_is_visible_here_and_refresh_sees_changes(subprocess_env: dict[str, str]) -> None:
    result_id = child(subprocess_env, "print(tasks.add.enqueue(4, 5).id)")
    result = tasks.add.get_result(result_id)
    assert result.status == TaskResultStatus.READY and result.args == [4, 5]
    with pytest.raises(ValueError, match="Task has not finished yet"):
        _ = result.return_value
    child(
        subprocess_env,
        "from k8s_tasks.models import TaskRecord\n"
        f"r = TaskRecord.objects.get(pk={result_id!r}); r.set_running('w', 1); r.set_successful(9)",
    )
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 9 and result.is_finished


async def test_arefresh(transactional_db: None) -> None:
    from asgiref.sync import sync_to_async
    from django.db import connections

    try:
        result = await tasks.add.aenqueue(1, 1)
        record = await TaskRecord.objects.aget(pk=result.id)
        await sync_to_async(record.set_running)("w", 1)
        await result.arefresh()
        assert result.status == TaskResultStatus.RUNNING and result.worker_ids == ["w"]
    finally:
        await sync_to_async(connections.close_all)()


def test_failed_result_raises_on_return_value_and_keeps_errors() -> None:
    result = tasks.fail.enqueue("x")
    record = TaskRecord.objects.get(pk=result.id)
    record.set_running("w", 1)
    record.set_failed("builtins.ValueError", "Traceback...\nValueError: x\n", "ValueError: x", attempt=1)
    result.refresh()
    with pytest.raises(ValueError, match="Task failed"):
        _ = result.return_value
    [error] = result.errors
    assert error.exception_class is ValueError and error.traceback.endswith("ValueError: x\n")
    assert result.attempts == 1


def test_get_result_of_another_task_is_a_mismatch() -> None:
    result = tasks.add.enqueue(1, 2)
    with pytest.raises(TaskResultMismatch):
        tasks.echo.get_result(result.id)


def test_result_task_keeps_queue_priority_and_context_flag() -> None:
    result = tasks.with_context.using(queue_name="sandbox", priority=-3).enqueue(5)
    fetched = tasks.with_context.get_result(result.id)
    assert (fetched.task.queue_name, fetched.task.priority, fetched.task.takes_context) == (
        "sandbox",
        -3,
        True,
    )
    assert fetched.task.func is tasks.with_context.func and fetched.backend == "default"


def test_async_and_context_tasks_are_accepted() -> None:
    assert tasks.async_add.enqueue(1, 2).status == TaskResultStatus.READY
    assert tasks.async_with_context.enqueue().status == TaskResultStatus.READY


def test_functions_that_are_not_module_level_or_lack_context_are_invalid() -> None:
    def inner() -> None: ...

    with pytest.raises(InvalidTask, match="module level"):
        task()(inner)
    with pytest.raises(InvalidTask, match="context"):
        task(takes_context=True)(tasks.add.func)
