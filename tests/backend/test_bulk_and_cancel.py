"""enqueue_many (one INSERT) and k8s_tasks.cancel()."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import k8s_tasks
from k8s_tasks.bulk import enqueue_many
from k8s_tasks.compat import TaskResultDoesNotExist, TaskResultStatus
from k8s_tasks.exceptions import InvalidTaskArguments
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db


def test_enqueue_many_stores_all_with_one_insert() -> None:
    with CaptureQueriesContext(connection) as queries:
        results = enqueue_many(tasks.add.using(priority=3), [((i,), {"b": i}) for i in range(200)])
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert len({r.id for r in results}) == 200 and TaskRecord.objects.filter(priority=3).count() == 200
    assert tasks.add.get_result(results[7].id).kwargs == {"b": 7}


def test_enqueue_many_stores_nothing_if_one_call_is_bad() -> None:
    with pytest.raises(InvalidTaskArguments, match=r"args\[0\]"):
        enqueue_many(tasks.echo, [((1,), {}), ((object(),), {})])
    assert TaskRecord.objects.count() == 0


def test_cancel_undispatched_fails_it_now() -> None:
    result = tasks.add.enqueue(1, 2)
    assert k8s_tasks.cancel(result.id) is True
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "k8s_tasks.exceptions.TaskCancelled"
    assert TaskRecord.objects.get(pk=result.id).reason == "cancelled before it started"


def test_cancel_dispatched_or_running_requests_it() -> None:
    dispatched = tasks.add.enqueue(1, 2)
    running = tasks.add.enqueue(3, 4)
    TaskRecord.objects.claim("default", 2, namespace="n", job_name=lambda i, a: f"j-{i[:6]}")
    TaskRecord.objects.get(pk=running.id).set_running("pod", 1)
    assert k8s_tasks.cancel(dispatched.id) and k8s_tasks.cancel(running.id)
    for result in (dispatched, running):
        row = TaskRecord.objects.get(pk=result.id)
        assert row.cancel_requested and row.status in ("READY", "RUNNING")


def test_cancel_finished_returns_false_and_unknown_raises() -> None:
    result = tasks.add.enqueue(1, 2)
    record = TaskRecord.objects.get(pk=result.id)
    record.set_running("pod", 1)
    record.set_successful(3)
    assert k8s_tasks.cancel(result.id) is False
    assert not TaskRecord.objects.get(pk=result.id).cancel_requested
    with pytest.raises(TaskResultDoesNotExist):
        k8s_tasks.cancel("nope")
