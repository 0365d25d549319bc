"""CronJob's schedule syntax, parsed as robfig/cron's ParseStandard parses it. Pure: no I/O.

Five fields (minute hour day-of-month month day-of-week), each ``*`` or ``?``, a number, a name
(JAN-DEC, SUN-SAT, any case), a range ``a-b``, a step ``*/n``, ``a-b/n`` or ``a/n`` (a to the field's
maximum), or a comma-separated list of those; day of week 0-6 (Sunday 0; 7 is refused, as robfig
refuses it). Or one of the macros CronJob accepts: @yearly, @annually, @monthly, @weekly, @daily,
@midnight, @hourly, and robfig's ``@every <duration>`` (Go syntax: 90s, 1h30m; at least 1s).
``TZ=...`` / ``CRON_TZ=...`` prefixes are refused as CronJob refuses them: the time zone goes in
spec.timeZone. Errors say which field and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAR_BIT = 1 << 63  # robfig: the field was * or ? (matters for day-of-month / day-of-week matching)
FIELDS = ("minute", "hour", "day of month", "month", "day of week")
BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES, 1)}
DAYS = {name: n for n, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
NAMES = (None, None, None, MONTHS, DAYS)
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
EXAMPLES = "'*/5 * * * *' (every 5 minutes), '30 2 * * *' (02:30 daily), '0 9 * * MON-FRI', '@hourly'"
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


class CronError(ValueError):
    """The schedule cannot be parsed; the message names the field and what to write instead."""


@dataclass(frozen=True)
class Cron:
    """A parsed schedule: one bit set per field (robfig's SpecSchedule; seconds always 0), or a constant
    delay for @every."""

    text: str
    minute: int = 0
    hour: int = 0
    dom: int = 0
    month: int = 0
    dow: int = 0
    every_seconds: int = 0
    """Set for ``@every <duration>``: ticks every so many seconds from the last one (robfig's
    ConstantDelaySchedule); the bit sets are then unused."""
    wildcard_time: bool = True
    """The minute or the hour field starts with * or ? (ISC cron's "wildcard" jobs): such a schedule runs
    through the hour repeated when clocks go back; a fixed-time one runs only in its first occurrence."""


def _number(text: str, field: int) -> int:
    names = NAMES[field]
    if names is not None and text.lower() in names:
        return names[text.lower()]
    if not re.fullmatch(r"\+?\d+", text):
        hint = ""
        if names is MONTHS:
            hint = " (or JAN-DEC)"
        elif names is DAYS:
            hint = " (or SUN-SAT)"
        low, high = BOUNDS[field]
        raise CronError(f"{FIELDS[field]} field: {text!r} is not a number from {low} to {high}{hint}")
    return int(text)


def _range(expr: str, field: int) -> int:
    low, high = BOUNDS[field]
    parts = expr.split("/")
    if len(parts) > 2:
        raise CronError(f"{FIELDS[field]} field: {expr!r} has more than one '/' (write a-b/n or */n)")
    ends = parts[0].split("-")
    extra = 0
    if ends[0] in ("*", "?"):
        if len(ends) > 1:
            raise CronError(f"{FIELDS[field]} field: {expr!r}: '*' cannot start a range (write {low}-b)")
        start, end, extra = low, high, STAR_BIT
    else:
        if len(ends) > 2:
            raise CronError(f"{FIELDS[field]} field: {expr!r} has more than one '-' (write a-b)")
        start = _number(ends[0], field)
        end = _number(ends[1], field) if len(ends) == 2 else start
    step = 1
    if len(parts) == 2:
        if not re.fullmatch(r"\+?\d+", parts[1]):
            raise CronError(f"{FIELDS[field]} field: {expr!r}: the step after '/' must be a whole number")
        step = int(parts[1])
        if len(ends) == 1:
            end = high  # robfig: "N/step" means "N-max/step"
        if step > 1:
            extra = 0
    if start < low:
        raise CronError(f"{FIELDS[field]} field: {expr!r}: {start} is below the minimum, {low}")
    if end > high:
        why = " (Sunday is 0)" if field == 4 and end == 7 else ""
        raise CronError(f"{FIELDS[field]} field: {expr!r}: {end} is above the maximum, {high}{why}")
    if start > end:
        raise CronError(f"{FIELDS[field]} field: {expr!r}: the range starts after it ends ({start} > {end})")
    if step == 0:
        raise CronError(f"{FIELDS[field]} field: {expr!r}: the step must be at least 1")
    bits = 0
    for value in range(start, end + 1, step):
        bits |= 1 << value
    return bits | extra


def _field(text: str, field: int) -> int:
    if not text:
        raise CronError(f"{FIELDS[field]} field is empty")
    bits = 0
    for part in text.split(","):
        if not part:
            raise CronError(f"{FIELDS[field]} field: {text!r} has an empty item between commas")
        bits |= _range(part, field)
    return bits


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration for non-negative durations: 90s, 1h30m, 1.5h, 500ms."""
    if text == "0":
        return 0.0
    if not text or _DURATION.sub("", text) != "":
        raise CronError(
            f"@every: {text!r} is not a duration: write a number with a unit (s, m, h), e.g. '@every 90s' "
            "or '@every 1h30m'"
        )
    return sum(float(number) * _UNITS[unit] for number, unit in _DURATION.findall(text))


def parse_cron(text: str) -> Cron:
    """Parse a schedule as CronJob does (robfig/cron ParseStandard); CronError says what is wrong."""
    if not text.strip():
        raise CronError(f"the schedule is empty: write five fields or a macro, e.g. {EXAMPLES}")
    if "TZ" in text:
        raise CronError(
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead (as CronJob): "
            "e.g. schedule '30 2 * * *' with timeZone 'Europe/Berlin'"
        )
    if text.startswith("@"):
        if text.startswith("@every "):
            seconds = int(parse_duration(text[len("@every ") :]))
            if seconds < 1:
                raise CronError(f"{text!r}: the interval must be at least 1s (e.g. '@every 30s')")
            return Cron(text=text, every_seconds=seconds)
        if text not in MACROS:
            raise CronError(
                f"{text!r} is not a macro CronJob knows: use one of {', '.join(MACROS)}, "
                "'@every <duration>', or five fields"
            )
        return _fields(text, MACROS[text].split())
    fields = text.split()
    if len(fields) != 5:
        six = " (no seconds field: CronJob's schedules are by the minute)" if len(fields) == 6 else ""
        raise CronError(
            f"expected exactly 5 fields (minute hour day-of-month month day-of-week), found "
            f"{len(fields)}{six}: e.g. {EXAMPLES}"
        )
    return _fields(text, fields)


def _fields(text: str, fields: list[str]) -> Cron:
    minute, hour, dom, month, dow = (_field(value, n) for n, value in enumerate(fields))
    wildcard = fields[0][:1] in ("*", "?") or fields[1][:1] in ("*", "?")
    return Cron(text=text, minute=minute, hour=hour, dom=dom, month=month, dow=dow, wildcard_time=wildcard)
