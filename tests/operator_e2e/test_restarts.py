"""Restarts and replicas: SIGKILL the operator at random during a run; run two at once on PostgreSQL.
Every task must end exactly once, with one Job per attempt."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import NAMESPACE, Operator, QueueFactory, jobs
from tests.operator_e2e import tasks
from tests.waiting import wait_until

TASKS = 200
KILLS = 20


def unfinished() -> bool:
    return TaskRecord.objects.exclude(status="SUCCESSFUL").exists()


def assert_ran_exactly_once(api: client.ApiClient, ids: list[str], ledger: Path) -> None:
    records = list(TaskRecord.objects.filter(pk__in=ids))
    assert len(records) == len(ids)
    unfinished = [r for r in records if r.status != "SUCCESSFUL"]
    assert not unfinished, [(r.id, r.status, r.reason) for r in unfinished[:5]]
    assert all(r.attempt == 1 and len(r.worker_ids) == 1 for r in records)
    ran = Counter(ledger.read_text().split())
    assert set(ran) == set(ids)
    assert max(ran.values()) == 1, [i for i, n in ran.items() if n > 1][:5]
    per_attempt = Counter(
        (j.metadata.labels["k8stasks.io/task-id"], j.metadata.annotations["k8stasks.io/attempt"])
        for j in jobs(api)
    )
    assert len(per_attempt) == len(ids)
    assert max(per_attempt.values()) == 1


@pytest.mark.timeout(900)
@pytest.mark.postgres_only  # 60 s; on SQLite, tests/faults/test_chaos.py SIGKILLs the operator at random too
def test_operator_sigkilled_at_random_loses_and_duplicates_nothing(
    operator_env: dict[str, str], make_queue: QueueFactory, api: client.ApiClient, tmp_path: Path
) -> None:
    make_queue("default", concurrency=10)
    ledger = tmp_path / "ledger"
    ids = [tasks.record.enqueue(str(ledger), f"placeholder-{i}", 0.3).id for i in range(TASKS)]
    # Each task writes its own id: re-enqueue with the id known is not possible, so rewrite the args.
    for task_id in ids:
        TaskRecord.objects.filter(pk=task_id).update(args=[str(ledger), task_id, 0.3])
    operator = Operator(operator_env, tmp_path / "operator.log")
    rng = random.Random(20261128)
    kills = 0
    deadline = time.monotonic() + 800
    try:
        operator.start()
        while kills < KILLS:
            assert time.monotonic() < deadline, f"stuck after {kills} kills"
            # The random pause is the point of the test: a kill lands at any instant, starting up,
            # between a claim and its Job, or while writing an outcome.
            time.sleep(rng.uniform(0.3, 3.0))
            assert unfinished(), f"the run ended after {kills} kills: make it longer"
            operator.kill()
            kills += 1
            operator.start()
        wait_until(lambda: not unfinished(), timeout=300, what="all tasks after the last kill")
    finally:
        operator.stop()
    assert_ran_exactly_once(api, ids, ledger)


@pytest.mark.postgres_only
def test_two_operators_never_dispatch_a_task_twice(
    operator_env: dict[str, str],
    make_queue: QueueFactory,
    api: client.ApiClient,
    cluster: LocalCluster,
    tmp_path: Path,
) -> None:
    make_queue("default", concurrency=6)
    ledger = tmp_path / "ledger"
    ids = [tasks.record.enqueue(str(ledger), "x").id for _ in range(60)]
    for task_id in ids:
        TaskRecord.objects.filter(pk=task_id).update(args=[str(ledger), task_id])
    first = Operator(operator_env, tmp_path / "first.log")
    second = Operator(operator_env, tmp_path / "second.log")
    first.start()
    second.start()
    try:
        wait_until(
            lambda: not TaskRecord.objects.exclude(status="SUCCESSFUL").exists(),
            timeout=300,
            what="all 60 tasks",
        )
    finally:
        first.stop()
        second.stop()
    assert_ran_exactly_once(api, ids, ledger)
    # Each Job was created by one operator (the other's create was AlreadyExists): the two logs name
    # every Job once, and the Dispatched Events on the TaskQueue count 60 Jobs between them.
    first_log, second_log = first.log(), second.log()
    created = Counter(re.findall(r"dispatched \S+ attempt \d+ as Job (\S+)", first_log + second_log))
    assert len(created) == 60 and max(created.values()) == 1
    events = client.CoreV1Api(api).list_namespaced_event(NAMESPACE).items
    batches = [
        e.message for e in events if e.reason == "Dispatched" and e.involved_object.kind == "TaskQueue"
    ]
    counted = [re.match(r"Created (\d+) Jobs?:", m) for m in batches]
    assert all(counted) and sum(int(c.group(1)) for c in counted if c) == 60, batches
    both = "dispatched" in first_log and "dispatched" in second_log
    assert both, "both operators should have dispatched some of the work"
