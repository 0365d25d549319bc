"""--prune-after on the real operator: finished rows past the age go on a schedule, in batches, beside
dispatch (which goes on meanwhile); READY, RUNNING and recent rows stay; each pass is logged."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from kubernetes import client

from k8s_tasks.bulk import enqueue_many
from k8s_tasks.models import TaskRecord
from tests.e2e import Operator, QueueFactory, wait_final
from tests.operator_e2e import tasks
from tests.waiting import wait_until


def rows(count: int, status: str, days_ago: float, queue: str = "default") -> list[str]:
    ids = [
        r.id for r in enqueue_many(tasks.add.using(queue_name=queue), [((n, n), {}) for n in range(count)])
    ]
    finished_at = timezone.now() - timedelta(days=days_ago)
    TaskRecord.objects.filter(pk__in=ids).update(status=status, finished_at=finished_at)
    return ids


def test_the_operator_prunes_on_a_schedule_beside_dispatch(
    api: client.ApiClient, operator_env: dict[str, str], make_queue: QueueFactory, tmp_path: Path
) -> None:
    old = rows(1500, "SUCCESSFUL", 40) + rows(300, "FAILED", 3)  # more than one batch of 1,000
    recent = rows(20, "FAILED", 0.5)
    waiting = rows(5, "READY", 40, queue="limited")  # no TaskQueue: they stay READY
    env = {**operator_env, "K8S_TASKS_PRUNE_AFTER": "1d", "K8S_TASKS_PRUNE_SECONDS": "0.5"}
    running = Operator(env, tmp_path / "operator.log")
    running.start()
    try:
        make_queue("default")
        result = tasks.add.enqueue(2, 3)
        assert wait_final(result.id).status == "SUCCESSFUL"  # dispatch goes on
        wait_until(
            lambda: not TaskRecord.objects.filter(pk__in=old).exists(), timeout=60, what="the old rows to go"
        )
        left = set(TaskRecord.objects.values_list("pk", flat=True))
        assert left == {*recent, *waiting, result.id}
        log = wait_until(
            lambda: "pruned 1800 finished tasks of database default" in (text := running.log()) and text,
            timeout=30,
            what="the pass to be logged",
        )
        assert "pruning finished tasks older than 1d every 0.5s" in log
    finally:
        running.stop()
