"""Cancellation: a queued task never gets a Job; a running one loses its Job and ends TaskCancelled."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client

import k8s_tasks
from tests.e2e import Operator, QueueFactory, jobs, row, wait_final
from tests.operator_e2e import tasks
from tests.waiting import wait_until

CANCELLED = "k8s_tasks.exceptions.TaskCancelled"


def test_ready_task_is_cancelled_without_a_job(operator: Operator, api: client.ApiClient) -> None:
    result = tasks.add.using(queue_name="limited").enqueue(1, 1)  # no TaskQueue yet: it waits
    assert k8s_tasks.cancel(result.id)
    record = row(result.id)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == CANCELLED
    assert jobs(api, f"k8stasks.io/task-id={result.id}") == []


def test_running_task_is_cancelled_and_its_job_deleted(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, tmp_path: Path
) -> None:
    make_queue("default")
    started = tmp_path / "started"
    result = tasks.hold.enqueue(str(started), 60.0)
    wait_until(lambda: started.exists() and row(result.id).status == "RUNNING", timeout=30)
    k8s_tasks.cancel(result.id)
    record = wait_final(result.id, timeout=30)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == CANCELLED
    wait_until(lambda: jobs(api, f"k8stasks.io/task-id={result.id}") == [], timeout=30, what="the Job to go")
