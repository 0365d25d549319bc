"""Faults of the Kubernetes API (issue 12, cases 4, 5 and 13): a failed request is retried with backoff,
never dropped; a cancel holds until the Job is really gone; a full quota waits instead of failing."""

from __future__ import annotations

import time
from pathlib import Path

from kubernetes import client

import k8s_tasks
from k8s_tasks.models import TaskRecord
from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import Operator, QueueFactory, jobs
from tests.faults import tasks
from tests.faults.conftest import probe_dispatches, status, wait_all_final
from tests.faults.ledger import assert_invariant
from tests.waiting import wait_until


def test_4_pods_endpoint_failing_while_jobs_end(
    operator: Operator,
    make_queue: QueueFactory,
    api: client.ApiClient,
    cluster: LocalCluster,
    ledger: Path,
    signals: Path,
) -> None:
    """Every pods request answers 500 for 10 s while 4 Jobs end without a result (their outcome needs the
    pods): once the API recovers, all 4 are classified and retried as the policy says."""
    make_queue("default", concurrency=4, retries={"attempts": 2, "backoffSeconds": 0.2})
    operator.start()
    gate = ledger.with_name("gate")
    ids = [tasks.step.enqueue(str(ledger), 0, exit_attempts=1, gate=str(gate)).id for _ in range(4)]
    wait_until(lambda: all(status(i) == "RUNNING" for i in ids), timeout=60, what="all 4 running")
    fault = cluster.faults.add(resource="pods", status=500, count=None)
    cluster.faults.drop_watches()  # an outage ends the open watch streams too; the pods one cannot resume
    ended = time.monotonic() + 10
    gate.touch()  # now the 4 pods exit, with the pods endpoint down
    wait_until(
        lambda: len([j for j in jobs(api) if j.status.failed]) == 4, timeout=30, what="the 4 Jobs to fail"
    )
    assert all(status(i) == "RUNNING" for i in ids), "their outcome needs the pods: it must wait"
    time.sleep(max(0.0, ended - time.monotonic()))  # the outage lasts its 10 s, whatever happens meanwhile
    cluster.faults.faults.remove(fault)
    wait_all_final(ids, timeout=90)
    rows = list(TaskRecord.objects.filter(pk__in=ids))
    assert {(r.status, r.attempt) for r in rows} == {("SUCCESSFUL", 2)}, [(r.status, r.reason) for r in rows]
    assert {r.errors[0]["exception_class_path"] for r in rows} == {"k8s_tasks.exceptions.PodFailed"}
    assert_invariant(ids, ledger, signals, api)


def test_5_cancel_while_the_job_delete_fails(
    operator: Operator,
    make_queue: QueueFactory,
    api: client.ApiClient,
    cluster: LocalCluster,
    ledger: Path,
    signals: Path,
) -> None:
    """The Job DELETE of a cancel fails (500): the cancel is retried until the Job is gone, the row says
    TaskCancelled only then, and the task never reaches its end (its side effect does not happen)."""
    make_queue("default")
    operator.start()
    result = tasks.step.enqueue(str(ledger), 20.0)
    wait_until(lambda: status(result.id) == "RUNNING", timeout=60)
    cluster.faults.add(verb="delete", resource="jobs", status=500, count=2)
    k8s_tasks.cancel(result.id)
    wait_all_final([result.id], timeout=60)
    row = TaskRecord.objects.get(pk=result.id)
    assert row.status == "FAILED" and row.errors[-1]["exception_class_path"].endswith("TaskCancelled")
    assert jobs(api, f"k8stasks.io/task-id={result.id}") == [], "FAILED (cancelled) only once the Job is gone"
    assert f"{result.id} 1 done" not in ledger.read_text()
    assert_invariant([result.id], ledger, signals, api)


def test_13_exceeded_quota_waits_and_retries(
    operator: Operator,
    make_queue: QueueFactory,
    api: client.ApiClient,
    cluster: LocalCluster,
    ledger: Path,
    signals: Path,
) -> None:
    """403 exceeded quota on Job creates (a ResourceQuota on GPUs is full): the task waits with the API's
    message as its reason, and runs once the quota allows; other refusals stay permanent."""
    make_queue("default")
    fault = cluster.faults.add(verb="create", resource="jobs", status=403, count=None)
    operator.start()
    result = tasks.step.enqueue(str(ledger), 0.1)
    wait_until(
        lambda: "exceeded quota" in TaskRecord.objects.get(pk=result.id).reason,
        timeout=30,
        what="the quota message on the row",
    )
    row = TaskRecord.objects.get(pk=result.id)
    assert row.status == "READY" and row.reason.startswith("Waiting for quota"), row.reason
    cluster.faults.faults.remove(fault)
    wait_all_final([result.id], timeout=90)
    assert status(result.id) == "SUCCESSFUL"
    assert_invariant([result.id], ledger, signals, api)
    probe_dispatches("default", ledger)
