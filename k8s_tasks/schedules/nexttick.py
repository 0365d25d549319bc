"""The next tick of a schedule: robfig/cron's SpecSchedule.Next (CronJob's), step for step, with one
difference on the night clocks go back. Pure: no I/O.

Daylight saving time, in the schedule's zone:
- clocks go forward (a local hour is skipped): a time inside it does not run that day, and a schedule
  that runs every hour runs once at the hour after the gap, not twice (robfig, so CronJob);
- clocks go back (a local hour repeats): a fixed-time schedule (its minute and hour fields are not
  ``*``: ``30 1 * * *``, ``@daily``) runs only in the first occurrence of the hour. robfig would run it
  again in the second ("1am nightly job (runs twice)" in its tests); here it does not, as ISC cron does
  not. A schedule with ``*`` in its minute or hour field (``*/15 * * * *``, ``@hourly``) runs through
  both occurrences, as under robfig: they are an hour of real time apart.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .cron import STAR_BIT, Cron
from .gotime import Wall, add_date, go_date, is_repeated, to_datetime, to_instant, wall

YEARS_AHEAD = 5  # robfig gives up (no next time) when nothing matches within five years


def _day_matches(cron: Cron, w: Wall) -> bool:
    dom = bool((1 << w.day) & cron.dom)
    dow = bool((1 << w.weekday) & cron.dow)
    if cron.dom & STAR_BIT or cron.dow & STAR_BIT:
        return dom and dow
    return dom or dow


class _Search:
    """One run of SpecSchedule.Next: the instant being moved forward, and whether a field was moved (then
    the smaller fields start from zero)."""

    def __init__(self, cron: Cron, zone: ZoneInfo, start: int) -> None:
        self.cron, self.zone, self.t, self.added = cron, zone, start, False

    def reset(self, *fields: int) -> None:
        """The first time a field moves: the smaller fields go to zero (go_date with them dropped)."""
        if not self.added:
            self.added = True
            w = wall(self.zone, self.t)
            year, month, day, hour = (w.year, w.month, *fields, 0, 0)[:4]
            self.t = go_date(self.zone, year, month, day, hour, 0, 0)

    def month(self) -> bool:
        """Move to a matching month; False when it wrapped to January (start over)."""
        while not (1 << wall(self.zone, self.t).month) & self.cron.month:
            self.reset(1)
            self.t = add_date(self.zone, self.t, months=1)
            if wall(self.zone, self.t).month == 1:
                return False
        return True

    def day(self) -> bool:
        while not _day_matches(self.cron, wall(self.zone, self.t)):
            self.reset(wall(self.zone, self.t).day)
            self.t = add_date(self.zone, self.t, days=1)
            hour = wall(self.zone, self.t).hour
            if hour != 0:  # midnight skipped or repeated by DST: on to, or back to, midnight
                self.t += (24 - hour) * 3600 if hour > 12 else -hour * 3600
            if wall(self.zone, self.t).day == 1:
                return False
        return True

    def hour(self) -> bool:
        while not (1 << wall(self.zone, self.t).hour) & self.cron.hour:
            w = wall(self.zone, self.t)
            self.reset(w.day, w.hour)
            self.t += 3600
            if wall(self.zone, self.t).hour == 0:
                return False
        return True

    def minute(self) -> bool:
        while not (1 << wall(self.zone, self.t).minute) & self.cron.minute:
            if not self.added:
                self.added = True
                self.t -= self.t % 60
            self.t += 60
            if wall(self.zone, self.t).minute == 0:
                return False
        return True

    def second(self) -> bool:
        """The seconds field of a standard schedule is always 0."""
        while wall(self.zone, self.t).second != 0:
            self.added = True
            self.t += 1
            if wall(self.zone, self.t).second == 0:
                return False
        return True


def robfig_next(cron: Cron, zone: ZoneInfo, after: int) -> int | None:
    """SpecSchedule.Next: the first instant after `after` (whole seconds) that matches, or None."""
    search = _Search(cron, zone, after + 1)  # "the upcoming second"
    year_limit = wall(zone, search.t).year + YEARS_AHEAD
    while wall(zone, search.t).year <= year_limit:  # each pass is robfig's WRAP label
        if search.month() and search.day() and search.hour() and search.minute() and search.second():
            return search.t
    return None


def next_instant(cron: Cron, zone: ZoneInfo, after: int) -> int | None:
    """The next tick after the whole-second instant `after`, or None if none comes within five years."""
    if cron.every_seconds:
        return after + cron.every_seconds
    t: int | None = after
    while t is not None:
        t = robfig_next(cron, zone, t)
        if t is None or cron.wildcard_time or not is_repeated(zone, t):
            return t
    return None


def next_tick(cron: Cron, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The next tick strictly after `after` (an aware datetime), as an aware UTC datetime, or None."""
    found = next_instant(cron, zone, to_instant(after))
    return None if found is None else to_datetime(found)
