"""Faults around operator outages (issue 12, cases 1, 2, 6 and 8): what changes while no operator runs, or
in the instant it is killed, is found by the resync when it starts again, and every task ends once."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks.profiles import job_name
from tests.e2e import NAMESPACE, Operator, QueueFactory, jobs
from tests.faults import tasks
from tests.faults.conftest import probe_dispatches, status, wait_all_final
from tests.faults.ledger import assert_invariant
from tests.waiting import wait_until


def job_exists(api: client.ApiClient, name: str) -> bool:
    return bool(
        client.BatchV1Api(api).list_namespaced_job(NAMESPACE, field_selector=f"metadata.name={name}").items
    )


def started(ledger: Path, task_id: str, attempt: int = 1) -> bool:
    return ledger.exists() and f"{task_id} {attempt} start" in ledger.read_text()


def test_1_job_deleted_while_the_operator_is_down(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """The running task's Job is deleted during the outage: on restart the row is found RUNNING without a
    Job and ends as JobVanished, retried (the task runs again, attempt 2) - not RUNNING for good."""
    make_queue("limited", concurrency=1, retries={"backoffSeconds": 0.5})
    operator.start()
    result = tasks.step.using(queue_name="limited").enqueue(str(ledger), 3.0)
    wait_until(lambda: status(result.id) == "RUNNING" and started(ledger, result.id), timeout=60)
    operator.kill()
    client.BatchV1Api(api).delete_namespaced_job(
        job_name(result.id, 1), NAMESPACE, propagation_policy="Background"
    )
    wait_until(lambda: not job_exists(api, job_name(result.id, 1)), timeout=30, what="the Job gone")
    operator.start()
    wait_all_final([result.id], timeout=60)
    row = TaskRecord.objects.get(pk=result.id)
    assert (row.status, row.attempt) == ("SUCCESSFUL", 2), row.reason
    assert row.errors[0]["exception_class_path"] == "k8s_tasks.exceptions.JobVanished"
    assert_invariant([result.id], ledger, signals, api)
    probe_dispatches("limited", ledger)


def test_2_finished_job_removed_by_its_ttl_while_the_operator_is_down(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """The pod dies without a result during the outage and ttlSecondsAfterFinished removes its Job before
    the operator is back: the row does not stay RUNNING, and the queue's one slot is free again."""
    make_queue(
        "limited",
        concurrency=1,
        ttlSecondsAfterFinished=0,
        retries={"infrastructureAttempts": 1, "backoffSeconds": 0.5},
    )
    operator.start()
    result = tasks.step.using(queue_name="limited").enqueue(str(ledger), 1.5, exit_attempts=1)
    wait_until(lambda: started(ledger, result.id), timeout=60)
    operator.kill()
    name = job_name(result.id, 1)
    wait_until(lambda: not job_exists(api, name), timeout=60, what="the TTL to remove the Job")
    assert status(result.id) == "RUNNING"
    operator.start()
    wait_all_final([result.id], timeout=60)
    row = TaskRecord.objects.get(pk=result.id)
    assert (row.status, row.attempt) == ("SUCCESSFUL", 2), row.reason
    assert "JobVanished" in row.errors[0]["exception_class_path"]
    assert_invariant([result.id], ledger, signals, api)
    probe_dispatches("limited", ledger)


@pytest.mark.timeout(600)
def test_6_sigkills_during_write_back_keep_the_retry_policy(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """16 tasks that exit non-zero on attempt 1 on a queue with retries.attempts 2, the operator killed
    again and again while their Jobs end: every one is retried (profile known before any outcome is
    decided, even right after a start) and succeeds on attempt 2."""
    make_queue("default", concurrency=8, retries={"attempts": 2, "backoffSeconds": 0.2})
    ids = [tasks.step.enqueue(str(ledger), 0.3, exit_attempts=1).id for _ in range(16)]
    rng = random.Random(6)
    operator.start()
    deadline = time.monotonic() + 240
    kills = 0
    while not all(
        s == "SUCCESSFUL" for s in TaskRecord.objects.filter(pk__in=ids).values_list("status", flat=True)
    ):
        assert time.monotonic() < deadline, f"stuck after {kills} kills"
        time.sleep(rng.uniform(0.2, 1.5))  # the point: kills land at random instants of the write-back
        if kills < 12:
            operator.kill()
            kills += 1
            operator.start()
    wait_all_final(ids)
    rows = list(TaskRecord.objects.filter(pk__in=ids))
    assert {(r.status, r.attempt) for r in rows} == {("SUCCESSFUL", 2)}, [
        (r.pk, r.status, r.attempt) for r in rows
    ]
    assert_invariant(ids, ledger, signals, api)


def test_8_a_claimed_row_without_its_job_gets_it(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """A row claimed by an operator that never created its Job (the commit's reply lost, or the create
    and then the release failed) gets its Job from the next operator's resync - it runs, not fails."""
    make_queue("default")
    result = tasks.step.enqueue(str(ledger), 0.1)
    claimed = TaskRecord.objects.claim("default", 1, namespace=NAMESPACE, job_name=job_name)
    assert [r.pk for r in claimed] == [result.id] and jobs(api) == []
    operator.start()
    wait_all_final([result.id], timeout=60)
    row = TaskRecord.objects.get(pk=result.id)
    assert (row.status, row.attempt, row.errors) == ("SUCCESSFUL", 1, [])
    assert_invariant([result.id], ledger, signals, api)
