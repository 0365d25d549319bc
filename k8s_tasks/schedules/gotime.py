"""Go's time arithmetic over Python's zoneinfo, as robfig/cron (CronJob's cron library) uses it.

Instants are whole Unix seconds (UTC). Go's ``time.Date`` turns a wall-clock reading into an instant
with its own rule for readings a DST change skips or repeats; ``add_date`` is ``Time.AddDate`` and
``wall`` is ``Time.In(loc)``. Matching these exactly is what makes next_tick() pick the same instants as
CronJob does on the nights the clocks change. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_EPOCH_DAY = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Wall:
    """A wall-clock reading in a zone (Go's Year(), Month(), Day(), Hour(), Minute(), Second(),
    Weekday() with Sunday = 0)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int


def offset_at(zone: ZoneInfo, instant: int) -> int:
    """The zone's UTC offset, in seconds, at `instant`."""
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def wall(zone: ZoneInfo, instant: int) -> Wall:
    local = datetime.fromtimestamp(instant, zone)
    return Wall(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        (local.weekday() + 1) % 7,
    )


def go_date(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    """Go's ``time.Date(year, month, day, hour, minute, second, 0, zone)``: fields out of range roll over
    (day 32 is the 1st of the next month, hour 24 the next day); a reading a DST change skips or repeats
    gets Go's offset: the one in effect at the reading taken as UTC, corrected once (so a skipped 02:30
    is 03:30 in Europe/Berlin but 01:30 in America/New_York, and a repeated one is the second in Berlin,
    the first in New York: Go's rule, not Python's fold)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    days = date(year, month, 1).toordinal() - _EPOCH_DAY + day - 1
    local = days * 86400 + hour * 3600 + minute * 60 + second
    return local - offset_at(zone, local - offset_at(zone, local))


def add_date(zone: ZoneInfo, instant: int, *, months: int = 0, days: int = 0) -> int:
    """Go's ``t.AddDate(0, months, days)`` for `instant` read in `zone`."""
    w = wall(zone, instant)
    return go_date(zone, w.year, w.month + months, w.day + days, w.hour, w.minute, w.second)


def to_instant(moment: datetime) -> int:
    """A whole-second instant at or before `moment` (an aware datetime)."""
    return int(moment.timestamp() // 1)


def to_datetime(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


def is_repeated(zone: ZoneInfo, instant: int) -> bool:
    """True when `instant` is the second time its wall-clock reading occurs (the hour after clocks go
    back): the same reading happened earlier that night."""
    local = datetime.fromtimestamp(instant, zone).replace(tzinfo=None)
    first = local.replace(fold=0, tzinfo=zone).timestamp()
    second = local.replace(fold=1, tzinfo=zone).timestamp()
    return first != second and int(second) == instant
