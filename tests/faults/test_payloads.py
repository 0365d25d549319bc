"""Payloads (issue 12, cases 11 and 12): the operator never loads arguments or results, so a huge or
hostile row neither grows its memory nor stops its queue; a result the database refuses fails the task
once, with the reason, and the task never runs again."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.db import connection
from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import Operator, QueueFactory
from tests.faults import tasks
from tests.faults.conftest import wait_all_final
from tests.faults.ledger import assert_invariant

MIB = 1024 * 1024


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def insert_raw(task_id: str, task_path: str, args_json: str) -> None:
    """A row as another writer could leave it (enqueue refuses such arguments): the JSON as given."""
    TaskRecord.objects.create(
        id=task_id, task_path=task_path, queue_name="default", backend_name="default", args=[], kwargs={}
    )
    with connection.cursor() as cursor:
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        cursor.execute(f"UPDATE k8s_tasks_taskrecord SET args = %s{cast} WHERE id = %s", [args_json, task_id])


def test_11_a_row_nested_5000_deep_does_not_stop_its_queue(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    make_queue("default", concurrency=2)
    depth = 5000 if connection.vendor == "postgresql" else 999  # SQLite's JSON stops at 1000 levels
    insert_raw("deep-row", tasks.deep.module_path, "[" + "[" * depth + "]" * depth + "]")
    others = [tasks.step.enqueue(str(ledger), 0.1).id for _ in range(3)]
    operator.start()
    wait_all_final(["deep-row", *others], timeout=90)
    deep = TaskRecord.objects.defer("args").get(pk="deep-row")
    assert deep.status == "FAILED" and "deep" in deep.reason.lower(), deep.reason
    assert set(TaskRecord.objects.filter(pk__in=others).values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert_invariant(others, ledger, signals, api)
    assert "RecursionError" not in operator.log()


def test_12_large_arguments_do_not_grow_the_operator(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """8 tasks with 10 MB of arguments each, claimed, dispatched, then adopted again after a restart: the
    operator's memory grows by far less than one of them."""
    make_queue("default", concurrency=8)
    ids = [f"big-{n}" for n in range(8)]
    gate = ledger.with_name("gate")  # the tasks hold until the operator was restarted over them
    for task_id in ids:
        insert_raw(task_id, tasks.hold_big.module_path, json.dumps(["x" * (10 * MIB), str(gate)]))
    operator.start()
    operator.wait_ready()
    assert operator.process is not None
    idle = rss_mib(operator.process.pid)
    peak = idle
    deadline = time.monotonic() + 120
    restarted = False
    while TaskRecord.objects.filter(pk__in=ids).exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
        assert time.monotonic() < deadline, "the big tasks did not finish"
        peak = max(peak, rss_mib(operator.process.pid))
        if not restarted and TaskRecord.objects.filter(pk__in=ids, dispatched_at__isnull=False).count() == 8:
            operator.kill()  # all claimed and holding: the next operator re-adopts all 8 at once
            operator.start()
            operator.wait_ready()
            restarted = True
            idle = max(idle, rss_mib(operator.process.pid))
            gate.touch()
        time.sleep(0.05)  # sampling rate of the memory, not a wait for a condition
    assert restarted
    assert set(TaskRecord.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"SUCCESSFUL"}
    # 80 MiB of arguments went by (the operator that loaded them grew by 170 MB). What growth is left is
    # bounded by connections, not payloads: on SQLite reading a row's status reads through the pages of
    # the arguments before it, into each connection's page cache (2 MiB each); PostgreSQL keeps them aside.
    bound = 10 if connection.vendor == "postgresql" else 32
    assert peak - idle < bound, f"RSS grew from {idle:.0f} to {peak:.0f} MiB"


def test_12_a_result_the_database_refuses_fails_once_and_never_reruns(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, signals: Path
) -> None:
    make_queue("default", retries={"attempts": 3, "backoffSeconds": 0.2})
    result = tasks.returns_nul.enqueue()
    operator.start()
    wait_all_final([result.id], timeout=60)
    row = TaskRecord.objects.get(pk=result.id)
    assert (row.status, row.attempt, len(row.worker_ids)) == ("FAILED", 1, 1), row.reason
    assert row.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.InvalidTaskResult"
    assert "return value" in row.reason and "NUL" in row.reason, row.reason
    assert signals.read_text().count(result.id) == 1
