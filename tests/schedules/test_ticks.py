"""Which tick is due, by CronJob's rules: kubernetes' own TestMostRecentScheduleTime cases (utils_test.go),
then syncCronJob's decisions: only the most recent unmet tick, startingDeadlineSeconds, too many missed,
concurrencyPolicy Allow / Forbid / Replace, suspend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from k8s_tasks.schedules.cron import parse_cron
from k8s_tasks.schedules.ticks import MANY_MISSED, Newest, count_ticks, decide, most_recent_tick

UTC_ZONE = ZoneInfo("UTC")
TOP = datetime(2016, 5, 19, 10, 0, tzinfo=UTC)  # kubernetes' topOfTheHour(), a Thursday


def after(**delta: float) -> datetime:
    return TOP + timedelta(**delta)


@pytest.mark.parametrize(
    ("name", "schedule", "created", "last", "deadline", "now", "recent", "many"),
    [
        ("now before next schedule", "0 * * * *", TOP, None, None, after(seconds=30), None, False),
        ("now just after next schedule", "0 * * * *", TOP, None, None, after(minutes=61), after(minutes=60),
         False),
        ("missed 5 schedules", "0 * * * *", after(seconds=10), None, None, after(minutes=301),
         after(minutes=300), False),
        ("complex schedule", "30 6-16/4 * * 1-5", TOP, after(minutes=30), None, after(hours=24, minutes=31),
         after(hours=24, minutes=30), False),
        # CronJob's estimate jumps past Friday's ticks here: its own test expects no tick (kept as is).
        ("another complex schedule", "30 10,11,12 * * 1-5", TOP, after(minutes=30), None,
         after(hours=30, minutes=30), None, False),
        ("complex schedule with longer diff", "30 6-16/4 * * 1-5", TOP, after(minutes=30), None,
         after(hours=96, minutes=31), after(hours=96, minutes=30), False),
        ("complex schedule with shorter diff", "30 6-16/4 * * 1-5", TOP, None, None,
         after(hours=24, minutes=31), after(hours=24, minutes=30), False),
        ("@every schedule", "@every 1h", after(minutes=-59), after(minutes=1), None, after(days=7),
         after(days=6, hours=23, minutes=1), True),
        ("earliest is the last schedule", "0 * * * *", TOP, TOP, None, after(seconds=30), None, False),
        ("last schedule, */5", "*/5 * * * *", TOP, after(minutes=30), None, after(minutes=31), None, False),
        ("outside startingDeadlineSeconds", "*/5 * * * *", TOP, after(minutes=30), 60, after(minutes=32),
         None, False),
    ],
)  # fmt: skip
def test_most_recent_schedule_time_as_kubernetes_tests_it(
    name: str,
    schedule: str,
    created: datetime,
    last: datetime | None,
    deadline: int | None,
    now: datetime,
    recent: datetime | None,
    many: bool,
) -> None:
    found = most_recent_tick(
        parse_cron(schedule),
        UTC_ZONE,
        created=created,
        last_scheduled=last,
        now=now,
        deadline_seconds=deadline,
    )
    assert found.tick == recent, name
    assert found.many is many, name


def test_a_schedule_that_never_matches_is_reported() -> None:
    found = most_recent_tick(
        parse_cron("59 23 31 2 *"),
        UTC_ZONE,
        created=TOP,
        last_scheduled=None,
        now=after(hours=1),
        deadline_seconds=None,
    )
    assert found.never and found.tick is None


def test_the_deadline_moves_the_earliest_tick_considered() -> None:
    found = most_recent_tick(
        parse_cron("* * * * *"),
        UTC_ZONE,
        created=TOP,
        last_scheduled=None,
        now=after(minutes=10),
        deadline_seconds=90,
    )
    assert found.earliest == after(minutes=8, seconds=30)
    assert found.tick == after(minutes=10)


def test_count_ticks_strictly_between() -> None:
    every_minute = parse_cron("* * * * *")
    assert count_ticks(every_minute, UTC_ZONE, TOP, after(minutes=3)) == (2, True)
    assert count_ticks(every_minute, UTC_ZONE, TOP, after(minutes=1)) == (0, True)
    many, exact = count_ticks(every_minute, UTC_ZONE, TOP, after(days=2))
    assert not exact and abs(many - (2 * 24 * 60 - 1)) <= 1


# -- syncCronJob's decisions ---------------------------------------------------------------------------------


def decision(
    *,
    now: datetime,
    last: datetime | None = None,
    newest: Newest | None = None,
    active: tuple[str, ...] = (),
    policy: str = "Allow",
    deadline: int | None = None,
    suspend: bool = False,
    schedule: str = "* * * * *",
):  # type: ignore[no-untyped-def]
    return decide(
        parse_cron(schedule),
        UTC_ZONE,
        policy=policy,  # type: ignore[arg-type]
        deadline_seconds=deadline,
        suspend=suspend,
        created=TOP,
        last_enqueued=last,
        newest=newest,
        active=active,
        now=now,
    )


def test_nothing_due_before_the_first_tick() -> None:
    found = decision(now=after(seconds=59))
    assert found.action == "wait" and found.next_tick == after(minutes=1)


def test_a_due_tick_is_enqueued_and_then_not_again() -> None:
    found = decision(now=after(minutes=1, seconds=1))
    assert (found.action, found.tick, found.next_tick) == ("enqueue", after(minutes=1), after(minutes=2))
    again = decision(
        now=after(minutes=1, seconds=30), last=after(minutes=1), newest=Newest(after(minutes=1), "enqueued")
    )
    assert again.action == "wait"


def test_after_an_outage_only_the_latest_tick_is_started() -> None:
    found = decision(
        now=after(minutes=4, seconds=10), last=after(minutes=1), newest=Newest(after(minutes=1), "enqueued")
    )
    assert (found.action, found.tick, found.missed) == ("enqueue", after(minutes=4), 2)  # 00:02, 00:03 missed


def test_past_its_deadline_a_tick_is_not_started_and_counts_as_missed() -> None:
    # CronJob only considers ticks after now - startingDeadlineSeconds: 00:04 is 40s old, past 30s.
    ran = Newest(after(minutes=1), "enqueued")
    found = decision(now=after(minutes=4, seconds=40), last=after(minutes=1), newest=ran, deadline=30)
    assert (found.action, found.tick, found.missed) == ("wait", None, 3)  # 00:02, 00:03, 00:04
    within = decision(now=after(minutes=4, seconds=20), last=after(minutes=1), newest=ran, deadline=30)
    assert (within.action, within.tick, within.missed) == ("enqueue", after(minutes=4), 2)


def test_too_many_missed_ticks_still_start_only_the_latest() -> None:
    found = decision(now=after(hours=3, seconds=5), last=after(minutes=1))
    assert found.many and found.estimate > MANY_MISSED
    assert (found.action, found.tick) == ("enqueue", after(hours=3))


def test_forbid_skips_while_a_run_is_active_and_starts_late_when_it_ends() -> None:
    blocked = decision(
        now=after(minutes=2, seconds=5), last=after(minutes=1), active=("run-1",), policy="Forbid"
    )
    assert (blocked.action, blocked.tick, blocked.record) == ("skip", after(minutes=2), True)
    # The run ends before the next tick: the skipped tick starts late, as CronJob does (no deadline).
    late = decision(
        now=after(minutes=2, seconds=40),
        last=after(minutes=1),
        newest=Newest(after(minutes=2), "skipped"),
        policy="Forbid",
    )
    assert (late.action, late.tick) == ("enqueue", after(minutes=2))
    # With a deadline it has passed, it stays missed.
    expired = decision(
        now=after(minutes=2, seconds=40),
        last=after(minutes=1),
        newest=Newest(after(minutes=2), "skipped"),
        policy="Forbid",
        deadline=20,
    )
    assert (expired.action, expired.missed) == ("wait", 0)  # it stays skipped, and is not started


def test_replace_cancels_the_active_runs_and_allow_keeps_them() -> None:
    replace = decision(
        now=after(minutes=2, seconds=1), last=after(minutes=1), active=("run-1",), policy="Replace"
    )
    assert (replace.action, replace.replace) == ("enqueue", ("run-1",))
    allow = decision(
        now=after(minutes=2, seconds=1), last=after(minutes=1), active=("run-1",), policy="Allow"
    )
    assert (allow.action, allow.replace) == ("enqueue", ())


def test_suspend_starts_nothing_and_resuming_starts_the_latest_missed_tick() -> None:
    assert (
        decision(now=after(minutes=5, seconds=1), last=after(minutes=1), suspend=True).action == "suspended"
    )
    resumed = decision(now=after(minutes=5, seconds=1), last=after(minutes=1))
    assert (resumed.action, resumed.tick) == ("enqueue", after(minutes=5))
