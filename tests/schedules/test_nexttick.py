"""Next-tick computation against CronJob's: robfig/cron v3's own test vectors (its spec_test.go TestNext,
seconds dropped: CronJob's schedules have five fields), then daylight saving time in America/New_York
and Europe/Berlin, forward and back: a skipped hour does not run twice, a repeated hour does not run
twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from k8s_tasks.schedules.cron import parse_cron
from k8s_tasks.schedules.gotime import go_date, to_datetime
from k8s_tasks.schedules.nexttick import next_tick, robfig_next

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")


def at(text: str, zone: ZoneInfo = UTC_ZONE) -> datetime:
    """'2012-07-09 14:45[:59]' in `zone`, or an ISO time with its offset."""
    if "T" in text:
        return datetime.fromisoformat(text)
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(text, fmt).replace(tzinfo=zone)


def following(schedule: str, after: datetime, zone: ZoneInfo = UTC_ZONE) -> datetime | None:
    return next_tick(parse_cron(schedule), zone, after)


@pytest.mark.parametrize(
    ("after", "schedule", "expected"),
    [
        ("2012-07-09 14:45", "0/15 * * * *", "2012-07-09 15:00"),
        ("2012-07-09 14:59", "0/15 * * * *", "2012-07-09 15:00"),
        ("2012-07-09 14:59:59", "0/15 * * * *", "2012-07-09 15:00"),
        ("2012-07-09 15:45", "20-35/15 * * * *", "2012-07-09 16:20"),  # wrap around hours
        ("2012-07-09 23:46", "*/15 * * * *", "2012-07-10 00:00"),  # wrap around days
        ("2012-07-09 23:45", "20-35/15 * * * *", "2012-07-10 00:20"),
        ("2012-07-09 23:35:51", "20-35/15 * * * *", "2012-07-10 00:20"),
        ("2012-07-09 23:35:51", "20-35/15 1/2 * * *", "2012-07-10 01:20"),
        ("2012-07-09 23:35:51", "20-35/15 10-12 * * *", "2012-07-10 10:20"),
        ("2012-07-09 23:35:51", "20-35/15 1/2 */2 * *", "2012-07-11 01:20"),
        ("2012-07-09 23:35:51", "20-35/15 * 9-20 * *", "2012-07-10 00:20"),
        ("2012-07-09 23:35:51", "20-35/15 * 9-20 Jul *", "2012-07-10 00:20"),
        ("2012-07-09 23:35", "0 0 9 Apr-Oct ?", "2012-08-09 00:00"),  # wrap around months
        ("2012-07-09 23:35", "0 0 */5 Apr,Aug,Oct Mon", "2012-08-01 00:00"),  # */5 is no star: dom OR dow
        ("2012-07-09 23:35", "0 0 */5 Oct Mon", "2012-10-01 00:00"),
        ("2012-07-09 23:35", "0 0 * Feb Mon", "2013-02-04 00:00"),  # wrap around years
        ("2012-07-09 23:35", "0 0 * Feb Mon/2", "2013-02-01 00:00"),  # * in dom: dom AND dow
        ("2012-12-31 23:59:45", "* * * * *", "2013-01-01 00:00"),  # wrap around everything
        ("2012-07-09 23:35", "0 0 29 Feb ?", "2016-02-29 00:00"),  # leap year
    ],
)
def test_robfig_next_vectors(after: str, schedule: str, expected: str) -> None:
    assert following(schedule, at(after)) == at(expected)


@pytest.mark.parametrize("schedule", ["0 0 30 Feb ?", "0 0 31 Apr ?"])
def test_unsatisfiable_schedules_have_no_next_tick(schedule: str) -> None:
    assert following(schedule, at("2012-07-09 23:35")) is None


@pytest.mark.parametrize(
    ("moment", "schedule", "matches"),
    [
        ("2012-07-15 00:00", "* * 1,15 * Sun", True),  # both given: either matches
        ("2012-06-15 00:00", "* * 1,15 * Sun", True),
        ("2012-08-01 00:00", "* * 1,15 * Sun", True),
        ("2012-07-15 00:00", "* * * * Mon", False),  # one is a star: both must match
        ("2012-07-15 00:00", "* * */10 * Sun", True),  # robfig v3: */10 is no star (its issue #70)
        ("2012-07-09 00:00", "* * 1,15 * *", False),
        ("2012-07-15 00:00", "* * 1,15 * *", True),
        ("2012-07-15 00:00", "* * */2 * Sun", True),
        ("2012-07-09 15:00", "@hourly", True),
        ("2012-07-09 15:04", "@hourly", False),
        ("2012-07-09 15:00", "@daily", False),
        ("2012-07-09 00:00", "@daily", True),
        ("2012-07-09 00:00", "@weekly", False),
        ("2012-07-08 00:00", "@weekly", True),
        ("2012-07-08 00:00", "@monthly", False),
        ("2012-07-01 00:00", "@monthly", True),
        ("2012-01-01 00:00", "@yearly", True),
        ("2012-07-09 15:05", "5/15 * * * *", True),
        ("2012-07-09 15:50", "5/15 * * * *", True),
        ("2012-07-09 15:40", "0/15 * * * *", False),
        ("2012-07-15 08:30", "30 08 ? Jul Sun", True),
        ("2012-07-16 08:30", "30 08 15 Jul ?", False),
    ],
)
def test_robfig_activation_vectors(moment: str, schedule: str, matches: bool) -> None:
    when = at(moment)
    assert (following(schedule, when - timedelta(seconds=1)) == when) is matches


def test_every_counts_from_the_previous_tick() -> None:
    start = at("2026-01-01 10:00:07")
    assert following("@every 90s", start) == start + timedelta(seconds=90)
    assert following("@every 90s", start + timedelta(microseconds=500)) == start + timedelta(seconds=90)


# -- daylight saving time ---------------------------------------------------------------------------------


def ticks(schedule: str, zone: ZoneInfo, start: str, end: str) -> list[str]:
    """Every tick from `start` to `end` (local readings in `zone`), as local readings with their offset."""
    found, cron, t = [], parse_cron(schedule), at(start, zone)
    last = at(end, zone)
    while (t := next_tick(cron, zone, t)) is not None and t <= last:  # type: ignore[assignment]
        found.append(t.astimezone(zone).strftime("%H:%M%z"))
    return found


# robfig's own DST vectors (America/New_York): next_tick agrees with robfig/cron on all of them except
# the second run of a fixed-time job in the repeated hour, which robfig's tests call "(runs twice)".
NEW_YORK_VECTORS = [
    ("2012-03-11T00:00:00-05:00", "0 * * * *", "2012-03-11T01:00:00-05:00"),  # hourly job
    ("2012-03-11T01:00:00-05:00", "0 * * * *", "2012-03-11T03:00:00-04:00"),
    ("2012-03-11T03:00:00-04:00", "0 * * * *", "2012-03-11T04:00:00-04:00"),
    ("2012-03-11T00:00:00-05:00", "0 1 * * *", "2012-03-11T01:00:00-05:00"),  # 1am nightly job
    ("2012-03-11T01:00:00-05:00", "0 1 * * *", "2012-03-12T01:00:00-04:00"),
    ("2012-03-11T00:00:00-05:00", "0 2 * * *", "2012-03-12T02:00:00-04:00"),  # 2am nightly job (skipped)
    ("2012-03-11T00:00:00-05:00", "30 2 11 Mar ?", "2013-03-11T02:30:00-04:00"),
    ("2012-11-04T00:00:00-04:00", "30 2 04 Nov ?", "2012-11-04T02:30:00-05:00"),
    ("2012-11-04T00:00:00-04:00", "0 * * * *", "2012-11-04T01:00:00-04:00"),  # hourly job
    ("2012-11-04T01:00:00-04:00", "0 * * * *", "2012-11-04T01:00:00-05:00"),
    ("2012-11-04T01:00:00-05:00", "0 * * * *", "2012-11-04T02:00:00-05:00"),
    ("2012-11-04T00:00:00-04:00", "0 1 * * *", "2012-11-04T01:00:00-04:00"),  # 1am nightly job
    ("2012-11-04T01:00:00-05:00", "0 1 * * *", "2012-11-05T01:00:00-05:00"),
    ("2012-11-04T00:00:00-04:00", "0 2 * * *", "2012-11-04T02:00:00-05:00"),  # 2am nightly job
    ("2012-11-04T02:00:00-05:00", "0 2 * * *", "2012-11-05T02:00:00-05:00"),
    ("2012-11-04T00:00:00-04:00", "0 3 * * *", "2012-11-04T03:00:00-05:00"),  # 3am nightly job
    ("2012-11-04T03:00:00-05:00", "0 3 * * *", "2012-11-05T03:00:00-05:00"),
]
ROBFIG_RUNS_TWICE = [
    ("2012-11-04T01:00:00-04:00", "0 1 * * *", "2012-11-04T01:00:00-05:00", "2012-11-05T01:00:00-05:00"),
    ("2012-11-04T01:45:00-04:00", "30 1 04 Nov ?", "2012-11-04T01:30:00-05:00", "2013-11-04T01:30:00-05:00"),
]


@pytest.mark.parametrize(("after", "schedule", "expected"), NEW_YORK_VECTORS)
def test_new_york_vectors_of_robfig(after: str, schedule: str, expected: str) -> None:
    assert following(schedule, at(after), NEW_YORK) == at(expected)
    raw = robfig_next(parse_cron(schedule), NEW_YORK, int(at(after).timestamp()))
    assert raw is not None and to_datetime(raw) == at(expected)


@pytest.mark.parametrize(("after", "schedule", "robfig", "ours"), ROBFIG_RUNS_TWICE)
def test_a_fixed_time_job_does_not_run_again_in_the_repeated_hour(
    after: str, schedule: str, robfig: str, ours: str
) -> None:
    raw = robfig_next(parse_cron(schedule), NEW_YORK, int(at(after).timestamp()))
    assert raw is not None and to_datetime(raw) == at(robfig)  # robfig (so CronJob) would run it again
    assert following(schedule, at(after), NEW_YORK) == at(ours)


@pytest.mark.parametrize(
    ("zone", "day", "nightly", "hourly"),
    [
        # Clocks go forward: 02:00 -> 03:00 (New York 2026-03-08, Berlin 2026-03-29).
        (NEW_YORK, "2026-03-08", [], ["00:00-0500", "01:00-0500", "03:00-0400", "04:00-0400"]),
        (BERLIN, "2026-03-29", [], ["00:00+0100", "01:00+0100", "03:00+0200", "04:00+0200"]),
    ],
)
def test_clocks_forward_a_skipped_time_does_not_run_and_nothing_runs_twice(
    zone: ZoneInfo, day: str, nightly: list[str], hourly: list[str]
) -> None:
    start, end = f"{day} 00:00", f"{day} 04:30"
    assert ticks("30 2 * * *", zone, f"{day} 00:00", f"{day} 23:59") == nightly  # 02:30 does not exist
    assert (
        ticks("0 * * * *", zone, f"{(at(start, zone) - timedelta(minutes=1)):%Y-%m-%d %H:%M}", end) == hourly
    )
    quarter = ticks("*/15 * * * *", zone, start, end)
    assert len(quarter) == len(set(quarter)) == 14  # 00:15 to 04:30, less the hour that does not exist
    assert not any(t.startswith("02:") for t in quarter)


@pytest.mark.parametrize(
    ("zone", "day", "repeated", "first", "second"),
    [
        # Clocks go back: New York 2026-11-01 02:00 EDT -> 01:00 EST; Berlin 2026-10-25 03:00 -> 02:00.
        (NEW_YORK, "2026-11-01", "1", "-0400", "-0500"),
        (BERLIN, "2026-10-25", "2", "+0200", "+0100"),
    ],
)
def test_clocks_back_a_repeated_hour_does_not_run_twice(
    zone: ZoneInfo, day: str, repeated: str, first: str, second: str
) -> None:
    hour = f"0{repeated}"
    whole_day = (f"{day} 00:00", f"{day} 23:59")
    # A fixed-time schedule in the repeated hour: once, in its first occurrence.
    assert ticks(f"30 {repeated} * * *", zone, *whole_day) == [f"{hour}:30{first}"]
    assert ticks(f"0,30 {repeated} * * *", zone, *whole_day) == [f"{hour}:00{first}", f"{hour}:30{first}"]
    # Hourly (a * in the hour field): both real hours run, an hour apart, as robfig and CronJob do.
    hourly = ticks("0 * * * *", zone, *whole_day)
    assert [t for t in hourly if t.startswith(hour)] == [f"{hour}:00{first}", f"{hour}:00{second}"]
    assert len(hourly) == 24  # 01:00 to 23:00, the repeated hour twice (00:00 is the start)
    # The next day is as usual.
    following_day = (at(f"{day} 00:00", zone) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert ticks(f"30 {repeated} * * *", zone, f"{following_day} 00:00", f"{following_day} 23:59") == [
        f"{hour}:30{second}"
    ]


def test_go_date_resolves_skipped_and_repeated_readings_as_go_does() -> None:
    # Go picks the offset in effect at the reading taken as UTC, corrected once.
    skipped_berlin = go_date(BERLIN, 2026, 3, 29, 2, 30, 0)
    assert to_datetime(skipped_berlin) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    skipped_new_york = go_date(NEW_YORK, 2026, 3, 8, 2, 30, 0)
    assert to_datetime(skipped_new_york) == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 01:30 EST
    repeated_berlin = go_date(BERLIN, 2026, 10, 25, 2, 30, 0)
    assert to_datetime(repeated_berlin) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second, CET
    repeated_new_york = go_date(NEW_YORK, 2026, 11, 1, 1, 30, 0)
    assert to_datetime(repeated_new_york) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first, EDT
    assert go_date(UTC_ZONE, 2024, 2, 31, 0, 0, 0) == go_date(UTC_ZONE, 2024, 3, 2, 0, 0, 0)  # rolls over
