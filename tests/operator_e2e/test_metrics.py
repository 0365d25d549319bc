"""The real operator serves Prometheus metrics over HTTP: Jobs it created, outcomes it wrote, queue gauges."""

from __future__ import annotations

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e import Operator, QueueFactory, free_port, wait_final
from tests.operator_e2e import tasks
from tests.waiting import wait_until

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def metrics_port() -> int:
    return free_port()


@pytest.fixture
def operator_env(operator_env: dict[str, str], metrics_port: int) -> dict[str, str]:
    """As the chart sets it when serviceMonitor.enabled (there with 0.0.0.0)."""
    return {**operator_env, "K8S_TASKS_METRICS": f"127.0.0.1:{metrics_port}"}


def scrape(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_jobs_and_outcomes(
    operator: Operator, make_queue: QueueFactory, metrics_port: int
) -> None:
    make_queue("default")
    assert wait_final(tasks.add.enqueue(2, 3).id).status == "SUCCESSFUL"
    failed = wait_final(tasks.exit_hard.enqueue(3).id, timeout=90)
    assert failed.status == "FAILED"
    assert failed.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodFailed"

    queue = (("queue", "default"),)
    outcome = (("outcome", "failed"), ("queue", "default"), ("reason", "PodFailed"))
    settled = {
        ("k8s_tasks_jobs_created_total", queue): 2.0,
        ("k8s_tasks_task_outcomes_total", outcome): 1.0,
        ("k8s_tasks_active_jobs", queue): 0.0,
        ("k8s_tasks_queue_tasks", (*queue, ("status", "succeeded"))): 1.0,
        ("k8s_tasks_queue_tasks", (*queue, ("status", "failed"))): 1.0,
        ("k8s_tasks_queue_tasks", (*queue, ("status", "ready"))): 0.0,
        ("k8s_tasks_queue_tasks", (*queue, ("status", "running"))): 0.0,
    }

    def matches() -> Samples | None:
        got = scrape(metrics_port)
        return got if all(got.get(key) == want for key, want in settled.items()) else None

    got = wait_until(matches, timeout=30, interval=0.2, what=f"the operator's metrics to show {settled}")
    assert got[("k8s_tasks_dispatch_seconds_count", ())] > 0
    assert got[("process_resident_memory_bytes", ())] > 0
    assert not any(
        name == "k8s_tasks_task_outcomes_total" and ("reason", "PodFailed") not in labels
        for name, labels in got
    ), "the task that succeeded wrote its own result: no outcome"
