"""A 1-minute TaskSchedule on the local cluster with the real operator: one task per tick, exactly once;
missed ticks after an outage follow startingDeadlineSeconds; suspend stops new ticks. The schedule clock
is manual (see conftest): the test moves it a minute at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kubernetes import client

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
    patch_spec,
    runs_of,
    wait_run,
)

TICK = "tests.schedules_e2e.tasks.tick"


def test_one_task_per_tick_over_three_ticks(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
) -> None:
    make_queue("default", concurrency=4)
    schedule = make_schedule("every-minute", schedule="* * * * *", task=TICK, kwargs={"label": "m"})
    uid = schedule["metadata"]["uid"]
    first = first_minute_after(created_at(schedule))
    schedule_clock.set(first - timedelta(seconds=5))
    operator.wait_ready()
    ticks = [first + timedelta(minutes=n) for n in range(3)]
    for tick in ticks:
        schedule_clock.set(tick + timedelta(seconds=1))
        run = wait_run(uid, tick)
        assert wait_final(run.pk).status == "SUCCESSFUL", run.reason
        # Passes go on at the same time of the clock: nothing more is enqueued for this tick.
        schedule_clock.set(tick + timedelta(seconds=30))
    wait_until(lambda: len(runs_of(uid)) == 3 and runs_of(uid), what="three runs")
    assert [r.scheduled_at for r in ledger(uid)] == ticks
    assert TaskRecord.objects.count() == 3
    for tick in ticks:
        record = TaskRecord.objects.get(pk=run_id(uid, tick))
        assert record.task_path == TICK and record.queue_name == "default"
        assert record.return_value == {"label": "m", "scheduled": tick.isoformat(), "id": record.pk}
    status = wait_until(
        lambda: (s := get_schedule(api, "every-minute").get("status", {})).get("runs") == 3 and s,
        what="the status to count 3 runs",
    )
    assert status["lastScheduleTime"] == f"{ticks[-1]:%Y-%m-%dT%H:%M:%SZ}"
    assert status["nextScheduleTime"] == f"{ticks[-1] + timedelta(minutes=1):%Y-%m-%dT%H:%M:%SZ}"
    assert status["missedTicks"] == 0 and status["skippedTicks"] == 0
    assert status["conditions"][0]["status"] == "True"
    enqueued = [e for e in events_of(api, "every-minute") if e.reason == "Enqueued"]
    assert sorted(e.message.split()[2] for e in enqueued) == sorted(run_id(uid, t) for t in ticks)


def status_of(api: client.ApiClient, name: str) -> dict[str, Any]:
    found: dict[str, Any] = get_schedule(api, name).get("status") or {}
    return found


def test_missed_ticks_after_an_outage_follow_starting_deadline_seconds(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
) -> None:
    make_queue("default", concurrency=6)
    deadlines = {"no-deadline": None, "deadline-90s": 90, "deadline-20s": 20}
    uids = {}
    for name, deadline in deadlines.items():
        spec: dict[str, Any] = {"schedule": "* * * * *", "task": TICK}
        if deadline is not None:
            spec["startingDeadlineSeconds"] = deadline
        uids[name] = make_schedule(name, **spec)["metadata"]["uid"]
    first = first_minute_after(max(created_at(get_schedule(api, n)) for n in deadlines))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    for uid in uids.values():
        wait_final(wait_run(uid, first).pk)
    operator.kill()  # down for three ticks: first+1, +2, +3 pass while no operator runs
    schedule_clock.set(first + timedelta(minutes=3, seconds=30))
    operator.start()
    latest = first + timedelta(minutes=3)
    # Without a deadline, or one that still covers it, only the latest missed tick runs (as CronJob).
    for name in ("no-deadline", "deadline-90s"):
        wait_final(wait_run(uids[name], latest).pk)
    wait_until(lambda: status_of(api, "deadline-20s").get("missedTicks") == 3, what="3 ticks missed")
    assert [r.scheduled_at for r in ledger(uids["deadline-20s"])] == [first]  # 30s late > 20s: not run
    for name in ("no-deadline", "deadline-90s"):
        assert [r.scheduled_at for r in ledger(uids[name])] == [first, latest]
        status = wait_until(lambda n=name: (s := status_of(api, n)).get("runs") == 2 and s, what="2 runs")
        assert status["missedTicks"] == 2  # the two ticks before the latest
    # The next tick runs for all three; the skipped ones stay counted, once each.
    following = latest + timedelta(minutes=1)
    schedule_clock.set(following + timedelta(seconds=1))
    for uid in uids.values():
        wait_final(wait_run(uid, following).pk)
    assert ledger(uids["deadline-20s"])[-1].passed_over == 3
    expected = {"no-deadline": 2, "deadline-90s": 2, "deadline-20s": 3}
    for name, missed in expected.items():
        wait_until(
            lambda n=name, m=missed: (
                status_of(api, n).get("missedTicks") == m and status_of(api, n)["runs"] > 1
            ),
            what=f"{name}: {missed} missed",
        )
    assert TaskRecord.objects.count() == 3 + 2 + 2 + 1  # one task per tick that ran, no more
    warned = [e.message for e in events_of(api, "deadline-20s") if e.reason == "MissSchedule"]
    assert len(warned) == 1 and warned[0].startswith("3 tick(s) before")


def test_suspend_stops_new_ticks_and_resume_starts_the_latest(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
) -> None:
    make_queue("default", concurrency=2)
    uid = make_schedule("pausable", schedule="* * * * *", task=TICK)["metadata"]["uid"]
    first = first_minute_after(created_at(get_schedule(api, "pausable")))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    wait_final(wait_run(uid, first).pk)
    patch_spec(api, "pausable", suspend=True)
    wait_until(
        lambda: status_of(api, "pausable").get("suspended") is True, what="the operator to see suspend"
    )
    assert status_of(api, "pausable").get("nextScheduleTime") is None
    schedule_clock.set(first + timedelta(minutes=3, seconds=1))  # three ticks pass, suspended
    wait_until(
        lambda: status_of(api, "pausable").get("missedTicks") == 3, what="3 ticks missed while suspended"
    )
    assert [r.scheduled_at for r in runs_of(uid)] == [first] and TaskRecord.objects.count() == 1
    patch_spec(api, "pausable", suspend=False)  # no deadline: the latest missed tick starts at once
    resumed = first + timedelta(minutes=3)
    wait_final(wait_run(uid, resumed).pk)
    assert [r.scheduled_at for r in runs_of(uid)] == [first, resumed]
    status = wait_until(lambda: (s := status_of(api, "pausable")).get("runs") == 2 and s, what="2 runs")
    assert status["missedTicks"] == 2 and status["suspended"] is False
