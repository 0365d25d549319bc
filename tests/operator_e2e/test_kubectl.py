"""What a platform engineer sees with the real kubectl."""

from __future__ import annotations

import subprocess
from pathlib import Path

from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import Operator, QueueFactory, wait_final
from tests.operator_e2e import tasks
from tests.waiting import wait_until

KUBECTL = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "kubectl"


def kubectl(cluster: LocalCluster, *args: str) -> str:
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(cluster.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kubectl_shows_queues_jobs_events_and_logs(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster
) -> None:
    make_queue("default", concurrency=2)
    make_queue("highmem", nodeSelector={"pool": "highmem"})
    good = [tasks.add.enqueue(i, i) for i in range(3)]
    bad = tasks.boom.using(queue_name="highmem").enqueue()
    for result in [*good, bad]:
        wait_final(result.id)

    def table() -> list[list[str]]:
        return [line.split() for line in kubectl(cluster, "get", "taskqueues").splitlines()]

    def counts_shown() -> list[list[str]] | None:
        rows = table()
        by_name = {r[0]: r for r in rows[1:]}
        ok = by_name.get("default", [])[4:7] == ["0", "0", "0"] and by_name.get("highmem", [])[6:7] == ["1"]
        return rows if ok else None

    rows = wait_until(counts_shown, timeout=30, what="kubectl get taskqueues to show the counts")
    assert rows[0][:8] == ["NAME", "QUEUE", "POOL", "GPUS", "READY", "RUNNING", "FAILED", "VALID"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["highmem"][1:4] == ["highmem", "pool=highmem", "0"]
    assert by_name["default"][7] == "True"

    listed = kubectl(cluster, "get", "jobs", "-l", "k8stasks.io/queue=default")
    assert listed.splitlines()[0].split()[:4] == ["NAME", "STATUS", "COMPLETIONS", "DURATION"]
    assert len(listed.strip().splitlines()) == 1 + len(good)
    assert "highmem" not in listed

    job_name = f"task-{good[0].id}-1"
    described = kubectl(cluster, "describe", "job", job_name)
    assert "k8stasks.io/task-path: tests.operator_e2e.tasks.add" in described  # the Job names its task
    assert "SuccessfulCreate" in described  # and the Job controller's own events follow

    # The operator records each batch it dispatched on the TaskQueue: one Event per batch, not per Job.
    queue = kubectl(cluster, "describe", "taskqueue", "default")
    events = queue[queue.index("Events:") :]
    assert "Dispatched" in events and "k8s-tasks-operator" in events
    assert all(f"task-{r.id}-1" in events for r in good), events

    logs = kubectl(cluster, "logs", f"job/{job_name}")
    assert "adding 0 and 0" in logs
