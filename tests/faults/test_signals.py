"""task_finished (issue 12, case 14): sent once per task, when its result is terminal, by whoever wrote
the outcome: the task pod (success, the task's own exception after its retries), the operator (OOMKilled,
deadline, cancelled while running), the process that cancelled a task before it started. Never for a
result that is going to be retried."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client

import k8s_tasks
from k8s_tasks.models import TaskRecord
from tests.e2e import Operator, QueueFactory
from tests.faults import tasks
from tests.faults.conftest import status, wait_all_final
from tests.faults.ledger import assert_invariant, read
from tests.waiting import wait_until


def test_14_task_finished_once_per_task_whoever_writes_the_outcome(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    make_queue("default", concurrency=6, retries={"attempts": 2, "backoffSeconds": 0.2})
    make_queue("highmem", resources={"limits": {"memory": "64Mi"}})
    make_queue("limited", timeoutSeconds=2)
    before_start = tasks.step.using(queue_name="sandbox").enqueue(str(ledger), 0.1)  # no TaskQueue: waits
    assert k8s_tasks.cancel(before_start.id)
    cases = {
        "success": tasks.step.enqueue(str(ledger), 0.1),
        "retried, then success": tasks.step.enqueue(str(ledger), 0.1, fail_attempts=1),
        "retried, then failure": tasks.step.enqueue(str(ledger), 0.1, fail_attempts=2),
        "OOMKilled": tasks.step.using(queue_name="highmem").enqueue(str(ledger), 0.1, mebibytes=256),
        "deadline": tasks.step.using(queue_name="limited").enqueue(str(ledger), 30.0),
        "cancelled running": tasks.step.enqueue(str(ledger), 30.0),
    }
    operator.start()
    running = cases["cancelled running"].id
    wait_until(lambda: status(running) == "RUNNING", timeout=60)
    k8s_tasks.cancel(running)
    ids = [result.id for result in cases.values()]
    wait_all_final(ids, timeout=120)
    outcome = {name: TaskRecord.objects.get(pk=result.id) for name, result in cases.items()}
    assert {
        name: (r.status, r.errors[-1]["exception_class_path"].rsplit(".", 1)[-1] if r.errors else "")
        for name, r in outcome.items()
    } == {
        "success": ("SUCCESSFUL", ""),
        "retried, then success": ("SUCCESSFUL", "RuntimeError"),
        "retried, then failure": ("FAILED", "RuntimeError"),
        "OOMKilled": ("FAILED", "PodOOMKilled"),
        "deadline": ("FAILED", "PodDeadlineExceeded"),
        "cancelled running": ("FAILED", "TaskCancelled"),
    }
    sent = read(signals)
    assert [line[1] for line in sent if line[0] == before_start.id] == ["FAILED"]
    for name, result in cases.items():
        statuses = [line[1] for line in sent if line[0] == result.id]
        assert statuses == [outcome[name].status], f"{name}: task_finished sent for {statuses}"
    assert_invariant([before_start.id, *ids], ledger, signals, api)
