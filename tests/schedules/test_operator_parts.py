"""The operator's schedule pieces that need no cluster: the schedule clock setting, the registry of
TaskSchedules (watch events and listings), the status built from a decision and the runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from k8s_tasks.schedules.runs import ActiveRun, Observed, RunView, Totals
from k8s_tasks.schedules.ticks import Decision
from k8s_tasks_operator.schedules.clock import clock_from_env
from k8s_tasks_operator.schedules.registry import ScheduleRegistry
from k8s_tasks_operator.schedules.status import invalid_status, recent_runs, schedule_status, with_transition

TICK = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)


def body(name: str = "nightly", version: int = 1, generation: int = 1, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "generation": generation,
            "resourceVersion": str(version),
            "creationTimestamp": "2026-11-28T02:00:00Z",
        },
        "spec": {"schedule": "30 2 * * *", "task": "tests.tasks.add", "args": [1, 2], **spec},
    }


def test_the_schedule_clock_setting(tmp_path: Path) -> None:
    assert not clock_from_env({}).manual and clock_from_env({}).offset_seconds == 0
    manual = tmp_path / "clock"
    manual.write_text("2026-11-28T02:30:05+00:00")
    clock = clock_from_env({"K8S_TASKS_SCHEDULE_CLOCK": f"file:{manual}"})
    assert clock.manual and clock.now("default") == TICK + timedelta(seconds=5)
    assert clock_from_env({"K8S_TASKS_SCHEDULE_CLOCK": "offset:42.5"}).offset_seconds == 42.5
    with pytest.raises(ValueError, match="file:PATH or offset:SECONDS"):
        clock_from_env({"K8S_TASKS_SCHEDULE_CLOCK": "fast"})


@pytest.mark.django_db
def test_the_registry_follows_events_and_listings() -> None:
    registry = ScheduleRegistry("default")
    state = registry.apply("ADDED", body())
    assert state is not None and state.spec is not None and state.spec.cron.text == "30 2 * * *"
    assert state.created == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    bad = registry.apply("ADDED", body("broken", schedule="* *"))
    assert bad is not None and bad.spec is None and bad.problems[0].startswith("spec.schedule:")
    # A status change (same generation) keeps the checked spec; a spec change checks it again.
    same = registry.apply("MODIFIED", {**body(version=2), "status": {"runs": 3}})
    assert same is state and same.status == {"runs": 3}
    changed = registry.apply("MODIFIED", body(version=3, generation=2, schedule="@hourly"))
    assert changed is not None and changed is not state and changed.spec is not None
    registry.apply("DELETED", body("broken", version=4))
    assert [s.name for s in registry.all()] == ["nightly"]
    # A listing: an older copy does not win over the watch; a name it lacks is gone.
    registry.apply_listing([body(version=2), body("weekly", version=5)], "5")
    assert [(s.name, s.spec.cron.text if s.spec else None) for s in registry.all()] == [
        ("nightly", "@hourly"),
        ("weekly", "30 2 * * *"),
    ]
    registry.apply_listing([body("weekly", version=5)], "6")
    assert [s.name for s in registry.all()] == ["weekly"]


def view(n: int, status: str) -> RunView:
    return RunView(
        f"run-{n}", TICK - timedelta(days=n), status, TICK - timedelta(days=n) + timedelta(seconds=9)
    )


def test_recent_runs_follow_the_history_limits() -> None:
    views = [
        view(0, "RUNNING"),
        view(1, "FAILED"),
        view(2, "SUCCESSFUL"),
        view(3, "FAILED"),
        view(4, "SUCCESSFUL"),
    ]
    assert [r["taskId"] for r in recent_runs(views, successful=1, failed=1)] == ["run-1", "run-2"]
    assert [r["taskId"] for r in recent_runs(views, successful=3, failed=0)] == ["run-2", "run-4"]


@pytest.mark.django_db
def test_the_status_of_a_valid_and_of_an_invalid_schedule() -> None:
    registry = ScheduleRegistry("default")
    state = registry.apply("ADDED", body(timeZone="Europe/Berlin"))
    assert state is not None
    observed = Observed(
        newest=None,
        last_enqueued=TICK,
        active_runs=(ActiveRun("run-0", TICK, "RUNNING"),),
        totals=Totals(runs=4, skipped=1, missed=2),
    )
    decision = Decision("wait", next_tick=TICK + timedelta(days=1), missed=1)
    status = schedule_status(state, decision, observed, [view(0, "RUNNING"), view(1, "SUCCESSFUL")])
    assert status["timeZone"] == "Europe/Berlin" and status["suspended"] is False
    assert (status["lastScheduleTime"], status["nextScheduleTime"]) == (
        "2026-11-28T02:30:00Z",
        "2026-11-29T02:30:00Z",
    )
    assert status["lastSuccessfulTime"] == "2026-11-27T02:30:09Z"
    assert status["active"] == [
        {"taskId": "run-0", "scheduledTime": "2026-11-28T02:30:00Z", "status": "RUNNING"}
    ]
    assert (status["activeCount"], status["runs"], status["skippedTicks"], status["missedTicks"]) == (
        1,
        4,
        1,
        3,
    )
    assert status["conditions"][0]["status"] == "True"
    broken = registry.apply("ADDED", body("broken", schedule="61 * * * *", timeZone="Asia/Tokyo"))
    assert broken is not None
    invalid = invalid_status(broken)
    assert invalid["conditions"][0]["reason"] == "InvalidSpec" and invalid["nextScheduleTime"] is None
    assert invalid["conditions"][0]["message"].startswith("spec.schedule: '61 * * * *': minute field")
    assert invalid["timeZone"] == "Asia/Tokyo"
    # The condition's transition time stays while its status does.
    first = with_transition(invalid, {}, TICK)
    again = with_transition(invalid_status(broken), first, TICK + timedelta(hours=1))
    assert again["conditions"][0]["lastTransitionTime"] == "2026-11-28T02:30:00Z"
