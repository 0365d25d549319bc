"""Bad input never stops the operator: an invalid TaskQueue says why, a missing one says so."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks_operator.crd import GROUP, PLURAL, VERSION
from tests.e2e import NAMESPACE, Operator, QueueFactory, row, wait_final
from tests.operator_e2e import tasks
from tests.waiting import wait_until


def queue_status(api: client.ApiClient, name: str) -> dict[str, Any]:
    body = client.CustomObjectsApi(api).get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name)
    status: dict[str, Any] = body.get("status") or {}
    return status


def valid_condition(api: client.ApiClient, name: str) -> dict[str, Any] | None:
    for condition in queue_status(api, name).get("conditions", []):
        if condition["type"] == "Valid":
            return dict(condition)
    return None


def test_invalid_queue_says_which_field_and_others_keep_working(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient
) -> None:
    make_queue("highmem", resources={"limits": {"memory": "lots"}}, conurrency=2)
    make_queue("default")
    ok = tasks.add.enqueue(20, 22)
    stuck = tasks.add.using(queue_name="highmem").enqueue(1, 1)

    condition = wait_until(lambda: valid_condition(api, "highmem"), timeout=30, what="a Valid condition")
    assert condition["status"] == "False"
    assert "spec.resources.limits.memory" in condition["message"] and "'lots'" in condition["message"]
    assert "conurrency" in condition["message"]
    assert wait_final(ok.id).status == "SUCCESSFUL"
    assert row(stuck.id).status == "READY"
    assert wait_until(lambda: (valid_condition(api, "default") or {}).get("status") == "True", timeout=30)


def test_task_without_queue_waits_with_a_reason_then_runs(
    operator: Operator, make_queue: QueueFactory
) -> None:
    result = tasks.add.using(queue_name="sandbox").enqueue(2, 2)
    waiting = wait_until(lambda: row(result.id).reason, timeout=30, what="a reason on the waiting task")
    assert "no TaskQueue for queue 'sandbox'" in waiting
    assert row(result.id).status == "READY"
    make_queue("sandbox", network="isolated")
    record = wait_final(result.id)
    assert record.status == "SUCCESSFUL"
    assert record.reason == ""
    assert TaskRecord.objects.filter(status="READY").count() == 0
