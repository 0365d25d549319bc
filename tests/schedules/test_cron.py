"""Cron parsing against CronJob's semantics (robfig/cron ParseStandard, which CronJob uses): fields, names,
ranges, steps, lists, the macros, and the errors, each naming its field."""

from __future__ import annotations

import pytest

from k8s_tasks.schedules.cron import STAR_BIT, CronError, parse_cron


def bits(*values: int) -> int:
    return sum(1 << v for v in values)


def test_five_fields() -> None:
    cron = parse_cron("5 4 3 2 1")
    fields = (cron.minute, cron.hour, cron.dom, cron.month, cron.dow)
    assert fields == (bits(5), bits(4), bits(3), bits(2), bits(1))


def test_star_and_question_mark_are_every_value_with_the_star_bit() -> None:
    cron = parse_cron("* * ? * ?")
    assert cron.minute == bits(*range(60)) | STAR_BIT
    assert cron.hour == bits(*range(24)) | STAR_BIT
    assert cron.dom == bits(*range(1, 32)) | STAR_BIT
    assert cron.dow == bits(*range(7)) | STAR_BIT


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("0-5", bits(0, 1, 2, 3, 4, 5)),
        ("*/15", bits(0, 15, 30, 45)),
        ("5/15", bits(5, 20, 35, 50)),  # robfig: "N/step" is N to the maximum
        ("20-35/15", bits(20, 35)),
        ("1,2,30-32", bits(1, 2, 30, 31, 32)),
        ("+7", bits(7)),  # strconv.Atoi takes a sign
        ("*/1", bits(*range(60)) | STAR_BIT),  # a step of 1 keeps the star
    ],
)
def test_ranges_steps_and_lists(field: str, expected: int) -> None:
    assert parse_cron(f"{field} * * * *").minute == expected


def test_names_of_months_and_days_in_any_case() -> None:
    cron = parse_cron("0 9 * jan,Mar-MAY mon-FRI")
    assert cron.month == bits(1, 3, 4, 5)
    assert cron.dow == bits(1, 2, 3, 4, 5)
    assert parse_cron("0 0 * * SUN").dow == bits(0)


@pytest.mark.parametrize(
    ("macro", "same_as"),
    [
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
    ],
)
def test_the_macros_cronjob_accepts(macro: str, same_as: str) -> None:
    parsed, plain = parse_cron(macro), parse_cron(same_as)
    assert (parsed.minute, parsed.hour, parsed.dom, parsed.month, parsed.dow) == (
        plain.minute,
        plain.hour,
        plain.dom,
        plain.month,
        plain.dow,
    )
    assert parsed.wildcard_time == plain.wildcard_time


def test_every_a_go_duration() -> None:
    assert parse_cron("@every 90s").every_seconds == 90
    assert parse_cron("@every 1h30m").every_seconds == 5400
    assert parse_cron("@every 1.5m").every_seconds == 90
    assert parse_cron("@every 1500ms").every_seconds == 1  # whole seconds, as robfig's Every()


def test_fixed_time_and_wildcard_schedules() -> None:
    assert not parse_cron("30 2 * * *").wildcard_time
    assert not parse_cron("@daily").wildcard_time
    assert not parse_cron("0 1-3 * * *").wildcard_time
    assert parse_cron("*/15 2 * * *").wildcard_time
    assert parse_cron("0 * * * *").wildcard_time
    assert parse_cron("@hourly").wildcard_time


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("", "the schedule is empty"),
        ("* * * *", "expected exactly 5 fields"),
        ("0 * * * * *", "no seconds field"),
        ("60 * * * *", "minute field: '60': 60 is above the maximum, 59"),
        ("* 24 * * *", "hour field: '24': 24 is above the maximum, 23"),
        ("* * 0 * *", "day of month field: '0': 0 is below the minimum, 1"),
        ("* * * 13 *", "month field: '13': 13 is above the maximum, 12"),
        ("* * * * 7", "day of week field: '7': 7 is above the maximum, 6 (Sunday is 0)"),
        ("5-1 * * * *", "the range starts after it ends (5 > 1)"),
        ("*/0 * * * *", "the step must be at least 1"),
        ("1-2-3 * * * *", "more than one '-'"),
        ("*/2/3 * * * *", "more than one '/'"),
        ("1,,2 * * * *", "empty item between commas"),
        ("* * * foo *", "month field: 'foo' is not a number from 1 to 12 (or JAN-DEC)"),
        ("* * * * funday", "day of week field: 'funday' is not a number from 0 to 6 (or SUN-SAT)"),
        ("mon * * * *", "minute field: 'mon' is not a number from 0 to 59"),
        ("TZ=Europe/Berlin 30 2 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        ("CRON_TZ=UTC 0 * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        ("@fortnightly", "is not a macro CronJob knows"),
        ("@Hourly", "is not a macro CronJob knows"),  # robfig's macros are case-sensitive
        ("@every soon", "is not a duration"),
        ("@every 0s", "the interval must be at least 1s"),
    ],
)
def test_errors_name_the_field_and_the_fix(schedule: str, message: str) -> None:
    with pytest.raises(CronError) as raised:
        parse_cron(schedule)
    assert message in str(raised.value)
