"""concurrencyPolicy on the local cluster with the real operator, as CronJob defines it: Forbid does not
start a tick while a run is active (it may start late once the run ends, within
startingDeadlineSeconds), Replace cancels the active run and starts the new one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from kubernetes import client

import k8s_tasks
from k8s_tasks.models import TaskRecord
from k8s_tasks.schedules.ids import run_id
from tests.e2e import Operator, QueueFactory, wait_final
from tests.waiting import wait_until

from .conftest import (
    ManualClock,
    ScheduleFactory,
    created_at,
    events_of,
    first_minute_after,
    get_schedule,
    ledger,
    wait_run,
)

HOLD = "tests.schedules_e2e.tasks.hold"


def running(task_id: str) -> TaskRecord:
    return wait_until(
        lambda: TaskRecord.objects.filter(pk=task_id, status="RUNNING").first(),
        timeout=30,
        what=f"task {task_id} to run",
    )


def status_of(api: client.ApiClient, name: str) -> dict[str, Any]:
    found: dict[str, Any] = get_schedule(api, name).get("status") or {}
    return found


def test_forbid_skips_a_tick_while_the_previous_run_is_active(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
    tmp_path: Path,
) -> None:
    make_queue("default", concurrency=4)
    spec = {"concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 30}
    kwargs = {"marker_dir": str(tmp_path), "seconds": 120}
    uid = make_schedule("forbid", schedule="* * * * *", task=HOLD, kwargs=kwargs, **spec)["metadata"]["uid"]
    first = first_minute_after(created_at(get_schedule(api, "forbid")))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    held = running(wait_run(uid, first).pk)
    second = first + timedelta(minutes=1)
    schedule_clock.set(second + timedelta(seconds=1))
    wait_until(lambda: status_of(api, "forbid").get("skippedTicks") == 1, what="the tick to be skipped")
    assert not TaskRecord.objects.filter(pk=run_id(uid, second)).exists()
    skipped = [e.message for e in events_of(api, "forbid") if e.reason == "AlreadyActive"]
    when = f"{second:%Y-%m-%dT%H:%M:%SZ}"
    assert skipped == [
        f"Not starting the run for {when}: run {held.pk} is still active and concurrencyPolicy is Forbid"
    ]
    # Past its deadline when the run ends: the skipped tick never starts.
    schedule_clock.set(second + timedelta(seconds=45))
    k8s_tasks.cancel(held.pk)
    assert wait_final(held.pk).status == "FAILED"
    wait_until(lambda: status_of(api, "forbid").get("activeCount") == 0, what="no active run")
    assert not TaskRecord.objects.filter(pk=run_id(uid, second)).exists()
    # The next tick runs; while it does, the one after is skipped, and starts late (within its deadline)
    # as soon as the run ends, as CronJob does.
    third, fourth = second + timedelta(minutes=1), second + timedelta(minutes=2)
    schedule_clock.set(third + timedelta(seconds=1))
    again = running(wait_run(uid, third).pk)
    schedule_clock.set(fourth + timedelta(seconds=1))
    wait_until(lambda: status_of(api, "forbid").get("skippedTicks") == 2, what="a second skipped tick")
    k8s_tasks.cancel(again.pk)
    late = running(wait_run(uid, fourth).pk)
    assert [(r.scheduled_at, r.state) for r in ledger(uid)] == [
        (first, "enqueued"),
        (second, "skipped"),
        (third, "enqueued"),
        (fourth, "enqueued"),
    ]
    assert TaskRecord.objects.count() == 3
    status = wait_until(lambda: (s := status_of(api, "forbid")).get("runs") == 3 and s, what="3 runs")
    assert (status["skippedTicks"], status["missedTicks"], status["activeCount"]) == (1, 0, 1)
    assert status["active"][0]["taskId"] == late.pk
    k8s_tasks.cancel(late.pk)


def test_replace_cancels_the_active_run_and_starts_the_new_one(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
    tmp_path: Path,
) -> None:
    make_queue("default", concurrency=4)
    kwargs = {"marker_dir": str(tmp_path), "seconds": 120}
    uid = make_schedule(
        "replace", schedule="* * * * *", task=HOLD, kwargs=kwargs, concurrencyPolicy="Replace"
    )["metadata"]["uid"]
    first = first_minute_after(created_at(get_schedule(api, "replace")))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    old = running(wait_run(uid, first).pk)
    marker = tmp_path / f"{first:%H%M%S}"  # the task read its tick from its context, and wrote its id there
    wait_until(lambda: marker.exists() and marker.read_text() == old.pk, what="the run's marker file")
    second = first + timedelta(minutes=1)
    schedule_clock.set(second + timedelta(seconds=1))
    new = running(wait_run(uid, second).pk)
    cancelled = wait_final(old.pk)
    assert cancelled.status == "FAILED"
    assert cancelled.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.TaskCancelled"
    replaced = [e.message for e in events_of(api, "replace") if e.reason == "Replaced"]
    assert replaced == [f"Cancelled run(s) {old.pk} to start the run for {second:%Y-%m-%dT%H:%M:%SZ} "
                        "(concurrencyPolicy Replace)"]  # fmt: skip
    status = wait_until(
        lambda: (s := status_of(api, "replace")).get("activeCount") == 1 and s, what="1 active"
    )
    assert status["active"][0]["taskId"] == new.pk
    k8s_tasks.cancel(new.pk)
