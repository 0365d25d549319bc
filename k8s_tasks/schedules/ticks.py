"""Which tick is due, by CronJob's rules (kubernetes pkg/controller/cronjob: mostRecentScheduleTime and
syncCronJob), from observed state only: the schedule, its creation time, the last tick that got a run,
the runs still active and the clock. Pure: no I/O.

- Only the most recent unmet tick is ever started; ticks before it are missed (CronJob starts "only the
  last one" of several unmet start times). Ticks are counted from the last one that got a run, else
  from the schedule's creation.
- startingDeadlineSeconds: no tick older than now minus the deadline is considered (so a tick past its
  deadline is never started; CronJob's separate "too late" check cannot trigger after that filter).
- More than 100 ticks missed (CronJob's rough count): TooManyMissedTimes is reported, and still only the
  most recent is started, not a flood.
- concurrencyPolicy: Allow starts it; Forbid does not while a run is active (the tick stays unmet, so
  it starts when the active run ends if it is still the most recent and within the deadline, as CronJob
  does); Replace cancels the active runs and starts it.
- suspend: nothing starts; ticks passed while suspended are missed (CronJob: "count as missed"), and
  on resume the most recent one starts at once unless past its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .cron import Cron
from .nexttick import next_tick

MANY_MISSED = 100  # CronJob: "I've somewhat arbitrarily picked 100, as more than 80, but less than lots"
COUNT_CAP = 1000  # ticks counted one by one; past that, CronJob's estimate from the interval

Policy = Literal["Allow", "Forbid", "Replace"]
Action = Literal["wait", "enqueue", "skip", "suspended", "never"]


@dataclass(frozen=True)
class MostRecent:
    """CronJob's mostRecentScheduleTime: the most recent unmet tick (None: none is due) and its rough
    count of the ticks since `earliest` (numberOfMissedSchedules)."""

    earliest: datetime
    tick: datetime | None
    estimate: int = 0
    never: bool = False
    """The schedule has no two ticks a second or more apart (e.g. 30 February): it never runs."""

    @property
    def many(self) -> bool:
        return self.estimate > MANY_MISSED


def most_recent_tick(
    cron: Cron,
    zone: ZoneInfo,
    *,
    created: datetime,
    last_scheduled: datetime | None,
    now: datetime,
    deadline_seconds: int | None,
) -> MostRecent:
    earliest = last_scheduled or created
    if deadline_seconds is not None:
        earliest = max(earliest, now - timedelta(seconds=deadline_seconds))
    t1 = next_tick(cron, zone, earliest)
    t2 = next_tick(cron, zone, t1) if t1 is not None else None
    if t1 is None or t2 is None:
        return MostRecent(earliest, None, never=True)
    if now < t1:
        return MostRecent(earliest, None)
    if now < t2:
        return MostRecent(earliest, t1, 1)
    between = round((t2 - t1).total_seconds())
    if between < 1:
        return MostRecent(earliest, None, never=True)
    estimate = int((now - t1).total_seconds()) // between + 1
    most_recent: datetime | None = None
    t: datetime | None = next_tick(cron, zone, t1 + timedelta(seconds=(estimate - 2) * between))
    while t is not None and t <= now:
        most_recent = t
        t = next_tick(cron, zone, t)
    return MostRecent(earliest, most_recent, estimate)


def count_ticks(
    cron: Cron, zone: ZoneInfo, after: datetime, before: datetime, cap: int = COUNT_CAP
) -> tuple[int, bool]:
    """How many ticks fall strictly between `after` and `before`: (count, exact). Counted one by one up
    to `cap`, then estimated from the interval between two ticks (exact=False)."""
    count, t = 0, next_tick(cron, zone, after)
    while t is not None and t < before:
        count += 1
        if count >= cap:
            following = next_tick(cron, zone, t)
            if following is None:
                return count, False
            step = max((following - t).total_seconds(), 1.0)
            return count + int((before - t).total_seconds() // step) - 1, False
        t = next_tick(cron, zone, t)
    return count, True


@dataclass(frozen=True)
class Newest:
    """The newest tick the ledger holds for the schedule, and what became of it."""

    tick: datetime
    state: Literal["enqueued", "skipped"]


@dataclass(frozen=True)
class Decision:
    action: Action
    tick: datetime | None = None
    """The tick acted on (enqueue, skip)."""
    replace: tuple[str, ...] = ()
    """Replace: the task ids of the active runs to cancel."""
    record: bool = False
    """skip: the tick is not in the ledger yet (record it once, then tell)."""
    many: bool = False
    estimate: int = 0
    next_tick: datetime | None = None
    """The first tick after now (the status's nextScheduleTime), None when suspended or never."""
    active: tuple[str, ...] = field(default_factory=tuple)
    missed: int = 0
    """Ticks passed since the newest one decided that can no longer start (the operator was down, the
    schedule suspended, a later tick came, or their deadline passed): they are counted as missed on the
    next tick decided; until then the status adds them."""


def decide(
    cron: Cron,
    zone: ZoneInfo,
    *,
    policy: Policy,
    deadline_seconds: int | None,
    suspend: bool,
    created: datetime,
    last_enqueued: datetime | None,
    newest: Newest | None,
    active: tuple[str, ...],
    now: datetime,
) -> Decision:
    """syncCronJob's decision for one schedule at `now`."""
    since = newest.tick if newest is not None else created
    if suspend:
        return Decision("suspended", active=active, missed=_passed(cron, zone, since, None, now))
    upcoming = next_tick(cron, zone, max(now, created))
    recent = most_recent_tick(
        cron, zone, created=created, last_scheduled=last_enqueued, now=now, deadline_seconds=deadline_seconds
    )
    if recent.never:
        return Decision("never", active=active)
    tick = recent.tick
    waiting = Decision(
        "wait",
        many=recent.many,
        estimate=recent.estimate,
        next_tick=upcoming,
        active=active,
        missed=_passed(cron, zone, since, tick, now),
    )
    if tick is None:
        return waiting
    known = newest is not None and newest.tick == tick
    if known and newest is not None and newest.state == "enqueued":
        return waiting
    if policy == "Forbid" and active:
        return replace(waiting, action="skip", tick=tick, record=not known)
    cancel = active if policy == "Replace" else ()
    return replace(waiting, action="enqueue", tick=tick, replace=cancel)


def _passed(cron: Cron, zone: ZoneInfo, since: datetime, due: datetime | None, now: datetime) -> int:
    """Ticks after `since` up to now that will not start: all of them but `due`, the one that still may."""
    until = due if due is not None else now + timedelta(microseconds=1)
    return count_ticks(cron, zone, since, until, cap=MANY_MISSED)[0] if until > since else 0
