"""A task reads the scheduled time of its tick from its context: k8s_tasks.schedules.scheduled_time, read
from the run's id alone (no database: sealed pods too)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from k8s_tasks.schedules import scheduled_time
from k8s_tasks.schedules.ids import run_id, scheduled_at

TICK = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)


def test_the_run_id_is_deterministic_and_tells_its_tick() -> None:
    task_id = run_id("uid-1", TICK)
    assert (
        task_id == run_id("uid-1", TICK) != run_id("uid-2", TICK) != run_id("uid-1", TICK.replace(minute=31))
    )
    assert uuid.UUID(task_id).version == 8 and len(task_id) == 36
    assert scheduled_at(task_id) == TICK


def test_scheduled_time_from_a_context_a_result_or_an_id() -> None:
    task_id = run_id("uid-1", TICK)
    result = SimpleNamespace(id=task_id)
    assert scheduled_time(SimpleNamespace(task_result=result, attempt=1)) == TICK
    assert scheduled_time(result) == TICK
    assert scheduled_time(task_id) == TICK


def test_an_ordinary_task_has_no_scheduled_time() -> None:
    assert scheduled_time(str(uuid.uuid4())) is None
    assert scheduled_time("not-a-uuid") is None
    assert scheduled_time(str(uuid.uuid7()) if hasattr(uuid, "uuid7") else str(uuid.uuid1())) is None
