"""The status block of a TaskSchedule, from what was observed and decided (pure). Printer columns read
it: ACTIVE is activeCount, LAST SCHEDULE lastScheduleTime, NEXT nextScheduleTime, VALID the condition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from k8s_tasks.schedules.runs import Observed, RunView, last_success
from k8s_tasks.schedules.ticks import Decision

from .registry import ScheduleState, parse_time

FINAL = ("SUCCESSFUL", "FAILED")


def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _condition(valid: bool, message: str) -> dict[str, Any]:
    return {
        "type": "Valid",
        "status": "True" if valid else "False",
        "reason": "ScheduleAccepted" if valid else "InvalidSpec",
        "message": message,
    }


def recent_runs(views: list[RunView], successful: int, failed: int) -> list[dict[str, Any]]:
    """The last runs with their outcomes, newest first: at most `successful` that succeeded and `failed`
    that failed (the history limits; the task rows themselves are kept)."""
    kept, counts = [], {"SUCCESSFUL": 0, "FAILED": 0}
    limits = {"SUCCESSFUL": successful, "FAILED": failed}
    for view in views:
        if view.status not in FINAL or counts[view.status] >= limits[view.status]:
            continue
        counts[view.status] += 1
        kept.append(
            {
                "taskId": view.task_id,
                "scheduledTime": stamp(view.tick),
                "status": view.status,
                "finishedAt": stamp(view.finished_at),
            }
        )
    return kept


def schedule_status(
    state: ScheduleState, decision: Decision, observed: Observed, views: list[RunView]
) -> dict[str, Any]:
    spec = state.spec
    assert spec is not None
    succeeded = last_success(views) or parse_time(state.status.get("lastSuccessfulTime"))
    if decision.action == "never":
        condition = _condition(False, f"spec.schedule: {spec.cron.text!r} has no next time: fix it")
    elif decision.action == "suspended":
        condition = _condition(True, "Schedule is valid; suspended (spec.suspend): no new runs")
    else:
        condition = _condition(True, "Schedule is valid")
    return {
        "observedGeneration": state.generation,
        "timeZone": spec.time_zone,
        "suspended": spec.suspend,
        "lastScheduleTime": stamp(observed.last_enqueued),
        "lastSuccessfulTime": stamp(succeeded),
        "nextScheduleTime": stamp(decision.next_tick),
        "active": [
            {"taskId": run.task_id, "scheduledTime": stamp(run.tick), "status": run.status}
            for run in observed.active_runs
        ],
        "activeCount": len(observed.active),
        "recentRuns": recent_runs(views, spec.successful_limit, spec.failed_limit),
        "runs": observed.totals.runs,
        "skippedTicks": observed.totals.skipped,
        "missedTicks": observed.totals.missed + decision.missed,
        "conditions": [condition],
    }


def invalid_status(state: ScheduleState) -> dict[str, Any]:
    """Only what an invalid spec changes: the condition (every problem, each with its field and fix) and
    no next time; the time zone and suspend as the spec gives them, for the printer columns."""
    zone, suspend = state.raw_spec.get("timeZone"), state.raw_spec.get("suspend")
    return {
        "observedGeneration": state.generation,
        "timeZone": zone if isinstance(zone, str) and zone else "UTC",
        "suspended": suspend if isinstance(suspend, bool) else False,
        "nextScheduleTime": None,
        "conditions": [_condition(False, "; ".join(state.problems)[:2000])],
    }


def comparable(status: dict[str, Any]) -> dict[str, Any]:
    return {
        **status,
        "conditions": [
            {k: v for k, v in c.items() if k != "lastTransitionTime"} for c in status.get("conditions", [])
        ],
    }


def with_transition(status: dict[str, Any], previous: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The condition's lastTransitionTime: kept while its status stays, else now."""
    condition = status["conditions"][0]
    before = (previous.get("conditions") or [{}])[0]
    condition["lastTransitionTime"] = (
        before.get("lastTransitionTime")
        if before.get("status") == condition["status"] and before.get("lastTransitionTime")
        else stamp(now)
    )
    return status
