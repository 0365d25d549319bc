"""Per-schedule metrics from the real operator: runs enqueued, ticks skipped (Forbid) and missed."""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from kubernetes import client
from prometheus_client.parser import text_string_to_metric_families

import k8s_tasks
from k8s_tasks.models import TaskRecord
from tests.e2e import Operator, QueueFactory, free_port, wait_final
from tests.waiting import wait_until

from .conftest import ManualClock, ScheduleFactory, created_at, first_minute_after, get_schedule, wait_run

HOLD = "tests.schedules_e2e.tasks.hold"


@pytest.fixture
def metrics_port() -> int:
    return free_port()


@pytest.fixture
def operator_env(operator_env: dict[str, str], metrics_port: int) -> dict[str, str]:
    return {**operator_env, "K8S_TASKS_METRICS": f"127.0.0.1:{metrics_port}"}


def counters(port: int, schedule: str) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("k8s_tasks_schedule_") and sample.labels.get("schedule") == schedule
    }


def test_runs_enqueued_ticks_skipped_and_missed_per_schedule(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
    metrics_port: int,
    tmp_path: Path,
) -> None:
    make_queue("default", concurrency=2)
    kwargs = {"marker_dir": str(tmp_path), "seconds": 120}
    uid = make_schedule(
        "counted",
        schedule="* * * * *",
        task=HOLD,
        kwargs=kwargs,
        concurrencyPolicy="Forbid",
        # A tick is not started more than 30 s late: without a deadline the skipped tick would start
        # as soon as the first run ends (CronJob's rule), racing the clock's move below.
        startingDeadlineSeconds=30,
    )["metadata"]["uid"]
    first = first_minute_after(created_at(get_schedule(api, "counted")))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    held = wait_run(uid, first)
    wait_until(
        lambda: TaskRecord.objects.get(pk=held.pk).status == "RUNNING",
        timeout=60,
        what="the first run to run",
    )
    schedule_clock.set(first + timedelta(minutes=1, seconds=1))  # skipped: the first still runs
    wait_until(
        lambda: counters(metrics_port, "default/counted").get("k8s_tasks_schedule_ticks_skipped_total")
    )
    schedule_clock.set(first + timedelta(minutes=1, seconds=40))  # past its deadline: it will not start late
    k8s_tasks.cancel(held.pk)
    wait_final(held.pk)
    schedule_clock.set(first + timedelta(minutes=4, seconds=1))  # 2 more pass unstarted; the 3rd starts
    later = wait_run(uid, first + timedelta(minutes=4), timeout=60)
    found = wait_until(
        lambda: (
            (c := counters(metrics_port, "default/counted")).get("k8s_tasks_schedule_runs_enqueued_total")
            == 2
            and c
        ),
        timeout=60,
        what="2 runs counted",
    )
    assert found == {
        "k8s_tasks_schedule_runs_enqueued_total": 2.0,
        "k8s_tasks_schedule_ticks_skipped_total": 1.0,
        "k8s_tasks_schedule_ticks_missed_total": 2.0,
    }
    k8s_tasks.cancel(later.pk)
