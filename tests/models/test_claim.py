"""The operator's claim: order, filters, exactly-once under concurrency, and its index."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from k8s_tasks import profiles
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db


def job_name(result_id: str, attempt: int) -> str:
    return f"task-{result_id[:8]}-{attempt}"


def test_claim_orders_by_priority_then_age_and_sets_dispatch_fields() -> None:
    low = tasks.add.using(priority=-5).enqueue(1, 1)
    first = tasks.add.enqueue(1, 2)
    second = tasks.add.enqueue(1, 3)
    high = tasks.add.using(priority=50).enqueue(1, 4)
    claimed = TaskRecord.objects.claim("default", 3, namespace="jobs", job_name=job_name)
    assert [r.id for r in claimed] == [high.id, first.id, second.id]
    row = TaskRecord.objects.get(pk=high.id)
    assert (row.job_name, row.job_namespace, row.reason) == (job_name(high.id, 1), "jobs", "")
    assert row.dispatched_at is not None and row.status == "READY"
    assert [r.id for r in TaskRecord.objects.claim("default", 10, namespace="jobs", job_name=job_name)] == [
        low.id
    ]
    assert TaskRecord.objects.claim("default", 10, namespace="jobs", job_name=job_name) == []


@pytest.mark.parametrize("odd_id", [None, "Odd_ID.42"])
def test_claim_stores_each_rows_own_job_name(odd_id: str | None) -> None:
    """Plain names are computed in SQL, a batch with an id that needs rewriting gets one CASE arm per row:
    either way each row holds exactly the name profiles.job_name gives its id and attempt."""
    ids = [tasks.add.enqueue(1, i).id for i in range(3)]
    TaskRecord.objects.filter(pk=ids[1]).update(attempt=12)
    if odd_id:
        row = TaskRecord.objects.get(pk=ids[2])
        TaskRecord.objects.filter(pk=ids[2]).delete()
        row.id = odd_id
        row.save(force_insert=True)
        ids[2] = odd_id
    claimed = TaskRecord.objects.claim("default", 10, namespace="n", job_name=profiles.job_name)
    stored = dict(TaskRecord.objects.filter(pk__in=ids).values_list("pk", "job_name"))
    expected = {r.pk: profiles.job_name(r.pk, r.attempt) for r in TaskRecord.objects.filter(pk__in=ids)}
    assert stored == expected == {r.pk: r.job_name for r in claimed}
    assert stored[ids[1]].endswith("-12") and (odd_id is None or stored[odd_id] != f"task-{odd_id}-1")


def test_claim_skips_other_queues_future_cancelled_and_zero_limit() -> None:
    tasks.on_gpu.enqueue()
    tasks.add.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1, 1)
    due = tasks.add.using(run_after=timezone.now() - timedelta(seconds=1)).enqueue(1, 2)
    cancelled = tasks.add.enqueue(1, 3)
    TaskRecord.objects.filter(pk=cancelled.id).update(cancel_requested=True)
    assert TaskRecord.objects.claim("default", 0, namespace="n", job_name=job_name) == []
    assert [r.id for r in TaskRecord.objects.claim("default", 10, namespace="n", job_name=job_name)] == [
        due.id
    ]
    assert len(TaskRecord.objects.claim("gpu", 10, namespace="n", job_name=job_name)) == 1


def test_queue_counts() -> None:
    _ready, running, ok, bad = (tasks.add.enqueue(1, i) for i in range(4))
    tasks.on_gpu.enqueue()
    for result in (running, ok, bad):
        TaskRecord.objects.get(pk=result.id).set_running("pod", 1)
    TaskRecord.objects.get(pk=ok.id).set_successful(1)
    TaskRecord.objects.get(pk=bad.id).set_failed("a.B", "", "x", attempt=1)
    assert TaskRecord.objects.queue_counts() == {
        "default": {"ready": 1, "running": 1, "succeeded": 1, "failed": 1},
        "gpu": {"ready": 1, "running": 0, "succeeded": 0, "failed": 0},
    }
    TaskRecord.objects.filter(pk=bad.id).update(finished_at=timezone.now() - timedelta(hours=2))
    recent = TaskRecord.objects.queue_counts(finished_since=timezone.now() - timedelta(hours=1))
    assert recent["default"] == {"ready": 1, "running": 1, "succeeded": 1, "failed": 0}


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_share_a_row() -> None:
    ids = {tasks.add.enqueue(1, i).id for i in range(60)}
    claimed: list[list[str]] = []
    barrier = threading.Barrier(4)

    def operator() -> None:
        try:
            barrier.wait()
            mine: list[str] = []
            while batch := TaskRecord.objects.claim("default", 3, namespace="n", job_name=job_name):
                mine.extend(r.id for r in batch)
            claimed.append(mine)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=operator) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = [i for mine in claimed for i in mine]
    assert len(claimed) == 4 and sorted(everything) == sorted(ids)  # each row exactly once


@pytest.mark.postgres_only
def test_claim_query_uses_the_partial_index_on_postgresql() -> None:
    now = timezone.now()
    finished = [
        TaskRecord(task_path="tests.tasks.add", queue_name=q, backend_name="default", status="SUCCESSFUL")
        for q in ("default", "gpu")
        for _ in range(3000)
    ]
    TaskRecord.objects.bulk_create(finished)
    for i in range(50):
        tasks.add.enqueue(1, i)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE k8s_tasks_taskrecord")
    plan = TaskRecord.objects.claimable("default", now)[:10].explain()
    assert "k8s_tasks_claim_idx" in plan and "Index Scan" in plan, plan
    assert "Sort" not in plan, plan  # the index already yields the claim order
