"""Two operators on PostgreSQL, both deciding every tick of every schedule at the same moments (their
schedule clock is the same manual clock), one of them killed and restarted in the middle: still exactly
one task per tick, and one Enqueued event per run (only the replica whose write won tells)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks.schedules.ids import run_id
from k8s_tasks.schedules.ledger import ScheduledRun
from tests.e2e import Operator, QueueFactory, wait_final

from .conftest import (
    ManualClock,
    ScheduleFactory,
    created_at,
    events_of,
    first_minute_after,
    get_schedule,
    wait_run,
)

TICK = "tests.schedules_e2e.tasks.tick"
SCHEDULES = 5
TICKS = 4

pytestmark = pytest.mark.postgres_only


def test_two_operators_enqueue_each_tick_once(
    operator: Operator,
    operator_env: dict[str, str],
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
    tmp_path: Path,
) -> None:
    second = Operator(operator_env, tmp_path / "operator-2.log")
    second.start()
    try:
        make_queue("default", concurrency=10)
        uids = [
            make_schedule(f"replicated-{n}", schedule="* * * * *", task=TICK, kwargs={"label": str(n)})[
                "metadata"
            ]["uid"]
            for n in range(SCHEDULES)
        ]
        first = first_minute_after(
            max(created_at(get_schedule(api, f"replicated-{n}")) for n in range(SCHEDULES))
        )
        schedule_clock.set(first - timedelta(seconds=1))
        operator.wait_ready()
        second.wait_ready()
        ticks = [first + timedelta(minutes=n) for n in range(TICKS)]
        for number, tick in enumerate(ticks):
            if number == 2:
                operator.kill()  # a replica lost mid-way; it comes back while the tick is being decided
            schedule_clock.set(tick + timedelta(seconds=1))
            if number == 2:
                operator.start()
            for uid in uids:
                wait_final(wait_run(uid, tick).pk)
        expected = {run_id(uid, tick) for uid in uids for tick in ticks}
        assert set(TaskRecord.objects.values_list("pk", flat=True)) == expected
        assert TaskRecord.objects.count() == SCHEDULES * TICKS
        assert ScheduledRun.objects.count() == SCHEDULES * TICKS
        for n in range(SCHEDULES):
            told = [e.message.split()[2] for e in events_of(api, f"replicated-{n}") if e.reason == "Enqueued"]
            assert sorted(told) == sorted(run_id(uids[n], tick) for tick in ticks)
    finally:
        second.stop()
    written = [
        line
        for log in (operator.log(), second.log())
        for line in log.splitlines()
        if ": Enqueued task " in line
    ]
    assert len(written) == SCHEDULES * TICKS  # each tick written by one replica or the other, never both
