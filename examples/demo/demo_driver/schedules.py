"""The demo's TaskSchedules (07-nightly-report): applied after the queues, and the run of each one's first
tick planned by its task id, derived from the schedule's uid and that tick as the operator derives it
(k8s_tasks.schedules.ids.run_id): the demo knows the id before the operator enqueues the run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import EXAMPLES_DIR
from .plan import Expect, Planned, ValueCheck
from .processes import run_checked

SCHEDULE_FILES = {"07-nightly-report": EXAMPLES_DIR / "07-nightly-report" / "schedule.yaml"}
LEAD_SECONDS = 2.0  # --fast-schedules: the first tick comes this long after the operator starts


def apply_schedules(
    examples: tuple[str, ...], kubectl: list[str], env: dict[str, str]
) -> list[dict[str, Any]]:
    """kubectl apply each chosen example's schedule.yaml; the TaskSchedule objects as the API has them."""
    applied: list[dict[str, Any]] = []
    for example in examples:
        path: Path | None = SCHEDULE_FILES.get(example)
        if path is None:
            continue
        print(run_checked([*kubectl, "apply", "-f", str(path)], env).rstrip(), flush=True)
        applied.append(json.loads(run_checked([*kubectl, "get", "-f", str(path), "-o", "json"], env)))
    return applied


def first_tick(schedule: dict[str, Any]) -> datetime:
    from k8s_tasks.schedules.cron import parse_cron
    from k8s_tasks.schedules.nexttick import next_tick
    from k8s_tasks.schedules.spec import DEFAULT_TIME_ZONE, parse_zone

    spec = schedule["spec"]
    created = datetime.fromisoformat(schedule["metadata"]["creationTimestamp"].replace("Z", "+00:00"))
    tick = next_tick(
        parse_cron(spec["schedule"]), parse_zone(spec.get("timeZone") or DEFAULT_TIME_ZONE), created
    )
    assert tick is not None, f"{schedule['metadata']['name']} never ticks"
    return tick


def clock_ahead(schedules: list[dict[str, Any]], now: datetime | None = None) -> float:
    """--fast-schedules: how far ahead the operator's schedule clock may run (K8S_TASKS_SCHEDULE_CLOCK=
    offset:...) for the first tick of every schedule to come LEAD_SECONDS after now, not at the next
    whole minute."""
    now = now or datetime.now(UTC)
    return max(0.0, min((first_tick(s) - now).total_seconds() for s in schedules) - LEAD_SECONDS)


def reported_for(tick: datetime) -> ValueCheck:
    def check(value: Any) -> str | None:
        if not isinstance(value, dict) or value.get("scheduled_for") != tick.isoformat():
            return f"return value {value!r}: expected a report scheduled for {tick.isoformat()}"
        if not Path(str(value.get("report"))).is_file():
            return f"no report file at {value.get('report')}"
        return None

    return check


def scheduled_plan(schedules: list[dict[str, Any]]) -> list[Planned]:
    from k8s_tasks.schedules.ids import run_id

    planned = []
    for schedule in schedules:
        tick = first_tick(schedule)
        planned.append(
            Planned(
                "07-nightly-report",
                f"{schedule['metadata']['name']} @ {tick:%H:%M}",
                run_id(schedule["metadata"]["uid"], tick),
                schedule["spec"].get("queueName") or "default",
                Expect("SUCCESSFUL", value=reported_for(tick)),
                waiting=f"waiting for its tick, {tick:%H:%M:%S} UTC",
            )
        )
    return planned
