"""Enqueueing: what is stored, validation before storage, signals, async."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.utils import timezone

from k8s_tasks.compat import (
    InvalidTask,
    TaskResultDoesNotExist,
    TaskResultStatus,
    default_task_backend,
    task_enqueued,
)
from k8s_tasks.exceptions import InvalidTaskArguments
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db


def test_enqueue_stores_one_ready_row() -> None:
    result = tasks.add.enqueue(2, b=3)
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == TaskResultStatus.READY
    assert (record.task_path, record.queue_name) == ("tests.tasks.add", "default")
    assert record.backend_name == "default"
    assert (record.args, record.kwargs, record.attempt, record.priority) == ([2], {"b": 3}, 1, 0)
    assert record.enqueued_at == result.enqueued_at
    assert result.status == TaskResultStatus.READY and not result.is_finished
    assert result.id == record.id and len(result.id) == 36


def test_backend_features_are_all_supported() -> None:
    backend = default_task_backend
    assert backend.supports_defer and backend.supports_priority
    assert backend.supports_get_result and backend.supports_async_task


def test_priority_queue_and_run_after_are_stored() -> None:
    when = timezone.now() + timedelta(hours=1)
    result = tasks.on_gpu.using(priority=-100, run_after=when).enqueue()
    record = TaskRecord.objects.get(pk=result.id)
    assert (record.queue_name, record.priority, record.run_after) == ("gpu", -100, when)
    assert result.task.run_after == when
    fetched = tasks.on_gpu.get_result(result.id)
    assert fetched.task.run_after == when and fetched.task.priority == -100


@pytest.mark.parametrize("priority", [101, -101])
def test_priority_out_of_bounds_is_invalid(priority: int) -> None:
    with pytest.raises(InvalidTask, match="priority"):
        tasks.add.using(priority=priority)


def test_naive_run_after_is_invalid() -> None:
    with pytest.raises(InvalidTask, match="aware"):
        tasks.add.using(run_after=timezone.now().replace(tzinfo=None))


def test_unknown_queue_names_queue_and_configured_ones() -> None:
    with pytest.raises(InvalidTask) as raised:
        tasks.add.using(queue_name="nope")
    message = str(raised.value)
    assert message.startswith("Queue 'nope' is not valid for backend."), "Django's own wording first"
    assert "default, gpu, highmem, limited, sandbox" in message and "TASKS['default']['QUEUES']" in message


@pytest.mark.parametrize(
    ("args", "kwargs", "where"),
    [
        ((timezone.now(),), {}, "args[0]"),
        ((), {"when": {1: "x"}}, "kwargs['when'] has the key 1"),
        ((), {"amount": float("nan")}, "kwargs['amount']"),
        (([1, {"deep": {"x"}}],), {}, "args[0][1]['deep']"),
        ((b"bytes",), {}, "args[0]"),
    ],
)
def test_non_json_arguments_raise_clearly_and_store_nothing(args: tuple, kwargs: dict, where: str) -> None:
    with pytest.raises(InvalidTaskArguments) as raised:
        tasks.echo.enqueue(*args, **kwargs)
    assert where in str(raised.value) and "tests.tasks.echo" in str(raised.value)
    assert "JSON" in str(raised.value)
    assert isinstance(raised.value, TypeError) and isinstance(raised.value, InvalidTask)
    assert TaskRecord.objects.count() == 0


def test_tuples_in_arguments_are_normalised_to_lists() -> None:
    result = tasks.echo.enqueue((1, (2, 3)), key=("a",))
    assert result.args == [[1, [2, 3]]] and result.kwargs == {"key": ["a"]}
    assert TaskRecord.objects.get(pk=result.id).args == [[1, [2, 3]]]


def test_task_enqueued_is_sent_after_the_row_is_stored() -> None:
    seen: list[tuple[str, bool]] = []

    def receiver(sender: type, task_result, **kwargs) -> None:  # type: ignore[no-untyped-def]
        seen.append((task_result.id, TaskRecord.objects.filter(pk=task_result.id).exists()))

    task_enqueued.connect(receiver)
    try:
        result = tasks.add.enqueue(1, 2)
    finally:
        task_enqueued.disconnect(receiver)
    assert seen == [(result.id, True)]


def test_get_result_unknown_id() -> None:
    with pytest.raises(TaskResultDoesNotExist):
        default_task_backend.get_result("no-such-id")


async def test_aenqueue_and_aget_result(transactional_db: None) -> None:
    try:
        result = await tasks.async_add.aenqueue(1, 2)
        fetched = await tasks.async_add.aget_result(result.id)
        assert fetched.id == result.id and fetched.args == [1, 2]
        with pytest.raises(TaskResultDoesNotExist):
            await default_task_backend.aget_result("no-such-id")
        with pytest.raises(InvalidTaskArguments, match=r"args\[0\]"):  # the same path as enqueue
            await tasks.echo.aenqueue({1, 2})
        assert await TaskRecord.objects.acount() == 1
    finally:  # the ORM ran in sync_to_async's thread: close its connection there
        await sync_to_async(connections.close_all)()
