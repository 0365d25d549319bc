"""k8s_tasks.retry() (a new run of a finished task, linked both ways) and k8s_tasks.details()."""

import dataclasses
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

import k8s_tasks
from k8s_tasks.compat import TaskResultDoesNotExist, TaskResultStatus
from k8s_tasks.exceptions import TaskAlreadyRetried, TaskNotFinished
from k8s_tasks.models import TaskRecord
from k8s_tasks.taskdetails import TaskDetails
from tests import tasks

pytestmark = pytest.mark.django_db


def finished(result_id: str, ok: bool = False) -> TaskRecord:
    record = TaskRecord.objects.get(pk=result_id)
    assert record.set_running("pod-a", 1)
    if ok:
        assert record.set_successful({"done": True}, log_tail="all good\n")
    else:
        assert record.set_failed("builtins.ValueError", "tb", "ValueError: x", attempt=1, log_tail="bad\n")
    return record


def test_retry_enqueues_the_same_task_anew_and_links_both_ways() -> None:
    original = tasks.echo.using(queue_name="gpu", priority=7).enqueue(1, "two", key=[3])
    finished(original.id)
    with CaptureQueriesContext(connection) as queries:
        again = k8s_tasks.retry(original.id)
    assert [q["sql"].split()[0] for q in queries.captured_queries if "k8s_tasks_taskrecord" in q["sql"]] == [
        "SELECT",  # the original
        "UPDATE",  # its link, claimed first: of two concurrent retries one wins
        "INSERT",  # the new run, one statement as any enqueue
    ]
    assert again.id != original.id and again.status == TaskResultStatus.READY
    row = TaskRecord.objects.get(pk=again.id)
    assert (row.task_path, row.args, row.kwargs) == ("tests.tasks.echo", [1, "two"], {"key": [3]})
    assert (row.queue_name, row.priority, row.backend_name) == ("gpu", 7, "default")
    assert (row.attempt, row.errors, row.log_tail, row.retried_as) == (1, [], "", "")
    assert k8s_tasks.details(again).retried_from == original.id
    assert k8s_tasks.details(original.id).retried_as == again.id
    assert tasks.echo.get_result(again.id).args == [1, "two"]


def test_a_successful_task_can_be_run_again_too() -> None:
    original = tasks.add.enqueue(2, 3)
    finished(original.id, ok=True)
    again = k8s_tasks.retry(original)  # a TaskResult works as well as its id
    assert TaskRecord.objects.get(pk=again.id).retried_from == original.id


def test_unfinished_tasks_are_not_run_again() -> None:
    ready = tasks.add.enqueue(1, 1)
    running = tasks.add.enqueue(2, 2)
    TaskRecord.objects.get(pk=running.id).set_running("pod", 1)
    for result in (ready, running):
        with pytest.raises(TaskNotFinished, match="only a finished task is run again"):
            k8s_tasks.retry(result.id)
    assert TaskRecord.objects.count() == 2


def test_a_task_is_run_again_once_then_its_new_run_is() -> None:
    original = tasks.add.enqueue(1, 2)
    finished(original.id)
    again = k8s_tasks.retry(original.id)
    with pytest.raises(TaskAlreadyRetried, match=f"already run again as {again.id}") as refused:
        k8s_tasks.retry(original.id)
    assert refused.value.retried_as == again.id
    assert TaskRecord.objects.count() == 2
    finished(again.id)
    third = k8s_tasks.retry(again.id)
    assert k8s_tasks.details(third.id).retried_from == again.id


def test_unknown_ids_raise() -> None:
    with pytest.raises(TaskResultDoesNotExist):
        k8s_tasks.retry("no-such-task")
    with pytest.raises(TaskResultDoesNotExist):
        k8s_tasks.details("no-such-task")


def test_a_task_gone_from_the_code_is_not_run_again_and_nothing_changes() -> None:
    original = tasks.add.enqueue(1, 2)
    finished(original.id)
    TaskRecord.objects.filter(pk=original.id).update(task_path="tests.tasks.renamed_since")
    with pytest.raises(ImportError):
        k8s_tasks.retry(original.id)
    assert TaskRecord.objects.get(pk=original.id).retried_as == "" and TaskRecord.objects.count() == 1


def test_details_carry_the_reason_the_job_and_the_log_tail() -> None:
    result = tasks.add.enqueue(1, 2)
    TaskRecord.objects.claim("default", 1, namespace="tasks", job_name=lambda i, a: f"task-{i}-{a}")
    long_reason = "0/3 nodes are available: " + "1 Insufficient nvidia.com/gpu, " * 10
    TaskRecord.objects.get(pk=result.id).set_pending_reason(long_reason, attempt=1)
    waiting = k8s_tasks.details(result)
    assert isinstance(waiting, TaskDetails)
    assert waiting.reason == long_reason  # whole
    assert (waiting.job_name, waiting.job_namespace) == (f"task-{result.id}-1", "tasks")
    assert (waiting.status, waiting.attempt, waiting.cancel_requested) == ("READY", 1, False)
    assert waiting.dispatched_at is not None and waiting.infra_retries == 0
    assert waiting.log_tail == "" and waiting.retried_from is None and waiting.retried_as is None
    finished(result.id)
    done = k8s_tasks.details(result.id)
    assert (done.status, done.reason, done.log_tail, done.worker_ids) == (
        "FAILED",
        "ValueError: x",
        "bad\n",
        ("pod-a",),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.reason = "changed"  # type: ignore[misc]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_make_one_new_run() -> None:
    original = tasks.add.enqueue(1, 2)
    finished(original.id)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            outcomes.append(k8s_tasks.retry(original.id).id)
        except TaskAlreadyRetried as error:
            outcomes.append(f"refused {error.retried_as}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [new_id] = [o for o in outcomes if not o.startswith("refused")]
    assert sorted(outcomes) == sorted([new_id] + [f"refused {new_id}"] * 7)
    assert TaskRecord.objects.count() == 2
