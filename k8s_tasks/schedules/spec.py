"""A TaskSchedule's spec, checked: every problem at once, each naming the field, what is wrong and the
fix (the operator writes them into the Valid condition). Parsing imports the task and asks its Django
backend, so it needs Django set up; the cron and time zone checks are pure.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .cron import Cron, CronError, parse_cron
from .ticks import Policy

POLICIES = ("Allow", "Forbid", "Replace")
DEFAULT_TIME_ZONE = "UTC"
DEFAULT_SUCCESSFUL_LIMIT = 3  # CronJob's successfulJobsHistoryLimit
DEFAULT_FAILED_LIMIT = 1  # CronJob's failedJobsHistoryLimit
KNOWN = (
    "schedule",
    "timeZone",
    "task",
    "args",
    "kwargs",
    "queueName",
    "priority",
    "backend",
    "concurrencyPolicy",
    "startingDeadlineSeconds",
    "suspend",
    "successfulRunsHistoryLimit",
    "failedRunsHistoryLimit",
)
_ZONE_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")  # CronJob's validTimeZoneCharacters


@dataclass(frozen=True)
class ScheduleSpec:
    """A valid spec, with its defaults filled in."""

    cron: Cron
    time_zone: str
    zone: ZoneInfo
    task_path: str
    args: list[Any]
    kwargs: dict[str, Any]
    queue_name: str
    priority: int
    backend: str
    """The TASKS alias the runs are enqueued through (spec.backend, else the task's own)."""
    database: str
    """That backend's OPTIONS["DATABASE"]: where the runs and the ledger are."""
    policy: Policy = "Allow"
    deadline_seconds: int | None = None
    suspend: bool = False
    successful_limit: int = DEFAULT_SUCCESSFUL_LIMIT
    failed_limit: int = DEFAULT_FAILED_LIMIT


@dataclass
class SpecError(ValueError):
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(self.problems)


def parse_zone(value: Any) -> ZoneInfo:
    """spec.timeZone as CronJob validates it (an explicit IANA name: not "Local", no path tricks), loaded
    with zoneinfo; ValueError says what to write."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{value!r} is not a time zone name: give an IANA name such as Europe/Berlin")
    hint = "give an IANA name such as Europe/Berlin, America/New_York or UTC"
    if value.lower() == "local":
        raise ValueError(f"{value!r}: the time zone must be explicit (CronJob refuses Local too): {hint}")
    if any(p in (".", "..") or p.startswith("-") or not _ZONE_PART.match(p) for p in value.split("/")):
        raise ValueError(f"{value!r} is not a valid time zone name: {hint}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"{value!r} is not in the IANA time zone database: {guess}{hint}") from None


def _integer(spec: Mapping[str, Any], key: str, problems: list[str], *, low: int, default: Any) -> Any:
    value = spec.get(key, default)
    if value is None or value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        problems.append(f"spec.{key}: {value!r} is not a whole number >= {low}")
        return default
    return value


def check_schedule(text: Any, zone: ZoneInfo | None, problems: list[str]) -> Cron | None:
    if not isinstance(text, str):
        problems.append(
            "spec.schedule: required: a cron schedule such as '30 2 * * *' (02:30 every day) or '@hourly'"
        )
        return None
    try:
        cron = parse_cron(text)
    except CronError as error:
        problems.append(f"spec.schedule: {text!r}: {error}")
        return None
    if zone is not None and not cron.every_seconds:
        from datetime import UTC, datetime

        from .nexttick import next_tick

        first = next_tick(cron, zone, datetime.now(UTC))
        if first is None or next_tick(cron, zone, first) is None:
            problems.append(
                f"spec.schedule: {text!r} never matches a date within five years (e.g. the 30th of "
                "February): fix the day of month or the month"
            )
            return None
    return cron


def parse_spec(spec: Mapping[str, Any] | None) -> ScheduleSpec:
    """The spec checked and completed; SpecError lists every problem."""
    spec = dict(spec or {})
    problems: list[str] = []
    for key in sorted(set(spec) - set(KNOWN)):
        close = difflib.get_close_matches(key, KNOWN, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(KNOWN)}"
        problems.append(f"spec.{key}: unknown field ({hint})")
    zone_name = spec.get("timeZone") or DEFAULT_TIME_ZONE
    zone: ZoneInfo | None = None
    try:
        zone = parse_zone(zone_name)
    except ValueError as error:
        problems.append(f"spec.timeZone: {error}")
    cron = check_schedule(spec.get("schedule"), zone, problems)
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy not in POLICIES:
        close = difflib.get_close_matches(str(policy).title(), POLICIES, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"spec.concurrencyPolicy: {policy!r} is not one of Allow, Forbid, Replace{guess}")
    suspend = spec.get("suspend", False)
    if not isinstance(suspend, bool):
        problems.append(f"spec.suspend: {suspend!r} is not true or false")
    deadline = _integer(spec, "startingDeadlineSeconds", problems, low=0, default=None)
    successful = _integer(
        spec, "successfulRunsHistoryLimit", problems, low=0, default=DEFAULT_SUCCESSFUL_LIMIT
    )
    failed = _integer(spec, "failedRunsHistoryLimit", problems, low=0, default=DEFAULT_FAILED_LIMIT)
    from .taskcheck import check_task

    checked = check_task(spec, problems)
    if problems or cron is None or zone is None or checked is None:
        raise SpecError(problems or ["spec: invalid"])
    return ScheduleSpec(
        cron=cron,
        time_zone=zone_name,
        zone=zone,
        task_path=checked.task_path,
        args=checked.args,
        kwargs=checked.kwargs,
        queue_name=checked.queue_name,
        priority=checked.priority,
        backend=checked.backend,
        database=checked.database,
        policy=cast(Literal["Allow", "Forbid", "Replace"], policy),
        deadline_seconds=deadline,
        suspend=bool(suspend),
        successful_limit=successful,
        failed_limit=failed,
    )
