"""Bad TaskSchedules get Valid=False naming the exact field and the fix, and enqueue nothing; the other
schedules keep running; fixing one makes it valid and it runs."""

from __future__ import annotations

from datetime import timedelta

from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import Operator, QueueFactory, wait_final
from tests.waiting import wait_until

from .conftest import (
    ManualClock,
    ScheduleFactory,
    condition,
    created_at,
    first_minute_after,
    get_schedule,
    patch_spec,
    runs_of,
    wait_run,
)

TICK = "tests.schedules_e2e.tasks.tick"
HOURLY = {"schedule": "@hourly", "task": TICK}
BAD = {
    "bad-cron": ({"schedule": "*/5 25 * * *", "task": TICK}, "spec.schedule: '*/5 25 * * *': hour field"),
    "bad-zone": ({**HOURLY, "timeZone": "Europe/Berln"}, "did you mean 'Europe/Berlin'?"),
    "no-module": ({**HOURLY, "task": "reports.nightly"}, "spec.task: cannot import 'reports.nightly'"),
    "not-a-task": ({**HOURLY, "task": "tests.schedules_e2e.tasks.not_a_task"}, "not a Task"),
    "bad-queue": ({**HOURLY, "queueName": "reports"}, "spec.queueName: Queue 'reports'"),
    "tz-prefix": ({"schedule": "TZ=UTC * * * * *", "task": TICK}, "use timeZone field instead"),
}


def test_bad_specs_are_invalid_with_the_field_and_the_others_keep_running(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
) -> None:
    make_queue("default", concurrency=2)
    for name, (spec, _) in BAD.items():
        make_schedule(name, **spec)
    good = make_schedule("good", schedule="* * * * *", task=TICK)["metadata"]["uid"]
    first = first_minute_after(created_at(get_schedule(api, "good")))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    wait_final(wait_run(good, first).pk)
    for name, (_, expected) in BAD.items():
        found = wait_until(
            lambda n=name: (c := condition(get_schedule(api, n))).get("status") == "False" and c,
            what=f"{name} to be Valid=False",
        )
        assert found["reason"] == "InvalidSpec" and expected in found["message"], (name, found)
    # The next minute: the good one runs again, the bad ones still enqueue nothing.
    schedule_clock.set(first + timedelta(minutes=1, seconds=1))
    wait_final(wait_run(good, first + timedelta(minutes=1)).pk)
    assert condition(get_schedule(api, "good"))["status"] == "True"
    assert TaskRecord.objects.count() == 2
    # Fixed, it becomes valid and runs at its next tick.
    patch_spec(api, "bad-queue", queueName="default", schedule="* * * * *")
    fixed = get_schedule(api, "bad-queue")["metadata"]["uid"]
    wait_until(
        lambda: condition(get_schedule(api, "bad-queue")).get("status") == "True", what="bad-queue valid"
    )
    schedule_clock.set(first + timedelta(minutes=2, seconds=1))
    wait_final(wait_run(fixed, first + timedelta(minutes=2)).pk)
    # Counted from its creation, as CronJob: the latest tick before the fix ran as soon as it was valid
    # (no deadline), then this one; the one before was missed.
    if first_minute_after(created_at(get_schedule(api, "bad-queue"))) == first:
        ran = [first + timedelta(minutes=1), first + timedelta(minutes=2)]
        assert [r.scheduled_at for r in runs_of(fixed)] == ran
        assert runs_of(fixed)[0].passed_over == 1
