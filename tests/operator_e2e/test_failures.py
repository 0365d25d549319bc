"""Every way a task pod can fail ends with its reason in the row, through the real operator."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.testing.cluster import LocalCluster
from k8s_tasks.testing.sim import NodeSpec
from tests.e2e import (
    GENERAL,
    GPU_TAINT,
    NAMESPACE,
    Operator,
    QueueFactory,
    pods,
    row,
    wait_final,
)
from tests.operator_e2e import tasks
from tests.waiting import wait_until


def test_task_exception_is_recorded_with_its_traceback(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("default")
    result = tasks.boom.enqueue()
    record = wait_final(result.id)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == "builtins.ValueError"
    assert "boom" in record.errors[-1]["traceback"]


def test_oom_killed_names_the_limit(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("highmem", resources={"limits": {"memory": "64Mi"}})
    record = wait_final(tasks.hog_memory.using(queue_name="highmem").enqueue(300).id, timeout=90)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodOOMKilled"
    assert "64Mi" in record.reason, record.reason


def test_deadline_names_the_timeout(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("default", timeoutSeconds=2)
    record = wait_final(tasks.sleep_for.enqueue(60).id, timeout=90)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodDeadlineExceeded"
    assert "2" in record.reason and "timeout" in record.reason.lower(), record.reason


def test_exit_without_result_shows_code_and_log(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("default")
    record = wait_final(tasks.exit_hard.enqueue(3).id, timeout=90)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodFailed"
    assert "3" in record.reason, record.reason


@pytest.mark.cluster(image_pull_error_pattern="registry.invalid/*")
def test_image_pull_failure_fails_fast(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("default", image="registry.invalid/app:missing", maxPendingSeconds=600)
    record = wait_final(tasks.add.enqueue(1, 2).id, timeout=60)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.ImagePullFailed"
    assert "registry.invalid/app:missing" in record.reason, record.reason


@pytest.mark.cluster(nodes=(GENERAL,))
def test_unschedulable_shows_scheduler_reason_then_fails(
    operator: Operator, make_queue: QueueFactory
) -> None:
    make_queue(
        "gpu",
        nodeSelector={"pool": "gpu"},
        tolerations=[{**GPU_TAINT, "operator": "Equal"}],
        resources={"limits": {"nvidia.com/gpu": 1}},
        maxPendingSeconds=4,
    )
    result = tasks.add.using(queue_name="gpu").enqueue(1, 1)
    pending = wait_until(
        lambda: "nodes are available" in row(result.id).reason and row(result.id), timeout=30
    )
    assert pending.status == "READY"
    assert "0/1 nodes are available" in pending.reason, pending.reason
    record = wait_final(result.id, timeout=30)
    assert record.status == "FAILED"
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodUnschedulable"
    assert "maxPendingSeconds=4" in record.reason and "nodes are available" in record.reason


def test_eviction_is_retried_then_succeeds(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster, api: client.ApiClient, tmp_path: Path
) -> None:
    make_queue("default")
    started = tmp_path / "started"
    result = tasks.hold.enqueue(str(started), 5.0)
    wait_until(lambda: started.exists(), timeout=30, what="the first pod to start")
    pod = pods(api, f"k8stasks.io/task-id={result.id}")[0]
    cluster.call(cluster.sim.evict_pod, NAMESPACE, pod.metadata.name)
    record = wait_final(result.id, timeout=90)
    assert record.status == "SUCCESSFUL", record.reason
    assert record.attempt == 2 and record.infra_retries == 1
    assert record.errors[0]["exception_class_path"] in (
        "k8s_tasks.exceptions.PodEvicted",
        "k8s_tasks.exceptions.PodTerminated",
    )
    assert len(started.read_text().splitlines()) == 2


def test_task_retries_follow_the_policy(operator: Operator, make_queue: QueueFactory, tmp_path: Path) -> None:
    make_queue("default", retries={"attempts": 2, "backoffSeconds": 0.5})
    record = wait_final(tasks.flaky.enqueue(str(tmp_path / "marker")).id, timeout=90)
    assert record.status == "SUCCESSFUL", record.reason
    assert record.attempt == 2
    assert [e["exception_class_path"] for e in record.errors] == ["builtins.RuntimeError"]


SPARE = NodeSpec(
    name="general-2", labels={"pool": "general"}, allocatable={"cpu": "8", "memory": "16Gi", "pods": "110"}
)


@pytest.mark.cluster(nodes=(GENERAL, SPARE))
def test_node_loss_is_retried_on_another_node(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster, api: client.ApiClient, tmp_path: Path
) -> None:
    make_queue("default", nodeSelector={"pool": "general"})
    started = tmp_path / "started"
    result = tasks.hold.enqueue(str(started), 5.0)
    wait_until(lambda: started.exists(), timeout=30, what="the first pod to start")
    lost = pods(api, f"k8stasks.io/task-id={result.id}")[0].spec.node_name
    cluster.call(cluster.sim.remove_node, lost)
    record = wait_final(result.id, timeout=90)
    assert record.status == "SUCCESSFUL", record.reason
    assert record.attempt == 2 and record.infra_retries == 1
    assert record.errors[0]["exception_class_path"] == "k8s_tasks.exceptions.NodeLost"
    assert lost in record.errors[0]["traceback"]
    survivors = [p.spec.node_name for p in pods(api, f"k8stasks.io/task-id={result.id}")]
    assert survivors and lost not in survivors
