"""The state machine: each transition applies only from its allowed (status, attempt)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db


def make() -> TaskRecord:
    return TaskRecord.objects.get(pk=tasks.add.enqueue(1, 2).id)


def test_set_running_once_per_attempt() -> None:
    record = make()
    assert record.set_running("pod-a", 1)
    assert not record.set_running("pod-b", 1)  # already RUNNING
    record.refresh_from_db()
    assert record.status == TaskResultStatus.RUNNING and record.worker_ids == ["pod-a"]
    assert record.started_at is not None and record.last_attempted_at == record.started_at


def test_set_running_wrong_attempt_or_cancelled_does_not_apply() -> None:
    record = make()
    assert not record.set_running("pod-a", 2)
    TaskRecord.objects.filter(pk=record.pk).update(cancel_requested=True)
    assert not record.set_running("pod-a", 1)
    record.refresh_from_db()
    assert record.status == TaskResultStatus.READY and record.worker_ids == []


def test_set_successful_only_from_running() -> None:
    record = make()
    assert not record.set_successful(3)
    record.set_running("pod-a", 1)
    assert record.set_successful(3)
    assert not record.set_successful(4)
    result = record.to_task_result()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 3


def test_set_failed_from_ready_or_running_appends_error() -> None:
    record = make()
    assert not record.set_failed("builtins.ValueError", "tb", "bad", attempt=2)
    assert record.set_failed("k8s_tasks.exceptions.PodUnschedulable", "tb1", "no GPU node", attempt=1)
    assert not record.set_failed("builtins.ValueError", "tb2", "again", attempt=1)  # already FAILED
    record.refresh_from_db()
    assert record.reason == "no GPU node" and record.finished_at is not None
    assert record.errors == [
        {"exception_class_path": "k8s_tasks.exceptions.PodUnschedulable", "traceback": "tb1"}
    ]


def test_retry_moves_to_next_attempt_and_counts_infrastructure() -> None:
    record = make()
    TaskRecord.objects.claim("default", 1, namespace="ns", job_name=lambda i, a: f"job-{a}")
    record.set_running("pod-a", 1)
    later = timezone.now() + timedelta(minutes=5)
    assert record.retry(
        attempt=1,
        run_after=later,
        infrastructure=True,
        exception_class_path="k8s_tasks.exceptions.PodEvicted",
        traceback="evicted",
        reason="evicted: node pressure",
    )
    assert not record.retry(
        attempt=1, run_after=later, infrastructure=True, exception_class_path="x.Y", traceback="", reason=""
    )
    fresh = TaskRecord.objects.get(pk=record.pk)
    assert (fresh.status, fresh.attempt, fresh.infra_retries) == ("READY", 2, 1)
    assert (fresh.dispatched_at, fresh.job_name, fresh.run_after) == (None, "", later)
    assert (record.attempt, record.infra_retries) == (2, 1)  # the instance mirrors the row
    assert [e["exception_class_path"] for e in fresh.errors] == ["k8s_tasks.exceptions.PodEvicted"]
    assert record.retry(
        attempt=2, run_after=later, infrastructure=False, exception_class_path="a.B", traceback="", reason="r"
    )
    fresh.refresh_from_db()
    assert (fresh.attempt, fresh.infra_retries, len(fresh.errors)) == (3, 1, 2)


def test_set_pending_reason_only_while_active() -> None:
    record = make()
    assert record.set_pending_reason("0/3 nodes have nvidia.com/gpu", attempt=1)
    assert TaskRecord.objects.get(pk=record.pk).reason == "0/3 nodes have nvidia.com/gpu"
    assert not record.set_pending_reason("x", attempt=2)
    record.set_failed("a.B", "", "done", attempt=1)
    assert not record.set_pending_reason("x", attempt=1)


def test_stale_instance_cannot_overwrite_a_newer_attempt() -> None:
    record = make()
    stale = TaskRecord.objects.get(pk=record.pk)
    assert record.retry(
        attempt=1,
        run_after=timezone.now(),
        infrastructure=False,
        exception_class_path="a.B",
        traceback="",
        reason="",
    )
    assert not stale.set_running("pod", 1)
    assert not stale.set_failed("a.B", "", "", attempt=1)
    assert stale.set_running("pod", 2)  # the error list read fresh, not from the stale instance
    stale.set_failed("c.D", "", "", attempt=2)
    assert [e["exception_class_path"] for e in TaskRecord.objects.get(pk=record.pk).errors] == ["a.B", "c.D"]


def test_retry_of_a_cancel_requested_task_fails_it_instead() -> None:
    record = make()
    TaskRecord.objects.claim("default", 1, namespace="ns", job_name=lambda i, a: "job")
    record.set_running("pod-a", 1)
    TaskRecord.objects.filter(pk=record.pk).update(cancel_requested=True)
    assert record.retry(
        attempt=1,
        run_after=timezone.now(),
        infrastructure=True,
        exception_class_path="k8s_tasks.exceptions.PodEvicted",
        traceback="",
        reason="evicted",
    )
    fresh = TaskRecord.objects.get(pk=record.pk)
    assert (fresh.status, fresh.attempt, fresh.reason) == (
        "FAILED",
        1,
        "cancelled; not retried after: evicted",
    )
    assert fresh.errors[0]["exception_class_path"] == "k8s_tasks.exceptions.PodEvicted"
