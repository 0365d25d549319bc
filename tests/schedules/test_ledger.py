"""Exactly once per tick, on the database: decide_tick records a tick and enqueues its run in one
transaction, keyed by (schedule uid, scheduled time); a second attempt, from another thread or replica,
at another moment or with another clock, enqueues nothing. Runs are ordinary tasks (task_enqueued sent,
the backend's path). On both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections

from k8s_tasks.compat import task_enqueued
from k8s_tasks.models import TaskRecord
from k8s_tasks.schedules import runs
from k8s_tasks.schedules.ids import run_id, scheduled_at
from k8s_tasks.schedules.ledger import ScheduledRun
from k8s_tasks.schedules.spec import ScheduleSpec, parse_spec

pytestmark = pytest.mark.django_db(transaction=True)
CREATED = datetime(2026, 11, 28, 1, 59, 30, tzinfo=UTC)
KEY = runs.ScheduleKey("5d0b0c2a-uid", "default", "nightly", CREATED)


def minute(n: int) -> datetime:
    return datetime(2026, 11, 28, 2, n, tzinfo=UTC)


@pytest.fixture
def spec() -> ScheduleSpec:
    return parse_spec({"schedule": "* * * * *", "task": "tests.tasks.add", "args": [2, 3]})


@pytest.fixture
def enqueued() -> Iterator[list[Any]]:
    sent: list[Any] = []

    def receive(sender: Any, task_result: Any, **_: Any) -> None:
        sent.append(task_result)

    task_enqueued.connect(receive)
    yield sent
    task_enqueued.disconnect(receive)


def test_a_tick_is_enqueued_once_as_an_ordinary_task(spec: ScheduleSpec, enqueued: list[Any]) -> None:
    written = runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0))
    assert written.outcome == "written" and written.task_id == run_id(KEY.uid, minute(0))
    again = runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0) + timedelta(seconds=5))
    assert again.outcome == "exists" and again.task_id == written.task_id
    record = TaskRecord.objects.get()
    assert (record.pk, record.status, record.task_path, record.args) == (
        written.task_id,
        "READY",
        "tests.tasks.add",
        [2, 3],
    )
    assert [r.id for r in enqueued] == [written.task_id]  # task_enqueued, once
    row = ScheduledRun.objects.get()
    assert (row.pk, row.scheduled_at, row.state, row.open, row.runs_total) == (
        written.task_id,
        minute(0),
        "enqueued",
        True,
        1,
    )
    assert scheduled_at(record.pk) == minute(0)


def test_an_older_tick_after_a_newer_one_is_superseded(spec: ScheduleSpec) -> None:
    assert runs.decide_tick(KEY, spec, minute(2), "enqueued", minute(2)).outcome == "written"
    assert runs.decide_tick(KEY, spec, minute(1), "enqueued", minute(2)).outcome == "superseded"
    assert TaskRecord.objects.count() == 1


def race(spec: ScheduleSpec, tick: datetime, nows: list[datetime]) -> list[runs.Written]:
    """One thread per `now` (replicas whose clocks differ), all deciding `tick` at once."""
    barrier = threading.Barrier(len(nows))
    results: list[runs.Written] = []

    def decide(now: datetime) -> None:
        try:
            barrier.wait()
            results.append(runs.decide_tick(KEY, spec, tick, "enqueued", now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(now,)) for now in nows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("locked", [True, False], ids=["advisory-lock", "unique-key-only"])
def test_racing_replicas_with_different_clocks_enqueue_a_tick_once(
    spec: ScheduleSpec, locked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not locked:  # without the per-schedule lock, the database's unique key alone decides
        monkeypatch.setattr(runs, "_lock", lambda using, uid: None)
    nows = [minute(3) + timedelta(seconds=s) for s in (0, 0.2, 1, 7, 29, 0, 3, 11)]
    results = race(spec, minute(3), nows)
    assert sorted(r.outcome for r in results) == ["exists"] * 7 + ["written"]
    assert list(TaskRecord.objects.values_list("pk", flat=True)) == [run_id(KEY.uid, minute(3))]
    assert ScheduledRun.objects.count() == 1


def test_ticks_passed_over_are_counted_as_missed(spec: ScheduleSpec) -> None:
    first = runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0))
    assert first.passed_over == 0  # 01:59:30 (created) to 02:00: no tick between
    later = runs.decide_tick(KEY, spec, minute(4), "enqueued", minute(4))
    assert (later.passed_over, later.totals) == (3, runs.Totals(runs=2, skipped=0, missed=3))
    observed = runs.observe("default", KEY.uid)
    assert observed.totals == runs.Totals(2, 0, 3) and observed.last_enqueued == minute(4)


def test_a_skipped_tick_can_still_start_late_once(spec: ScheduleSpec) -> None:
    runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0))
    skipped = runs.decide_tick(KEY, spec, minute(1), "skipped", minute(1))
    assert (skipped.outcome, skipped.totals) == ("written", runs.Totals(1, 1, 0))
    assert runs.decide_tick(KEY, spec, minute(1), "skipped", minute(1)).outcome == "exists"
    assert not TaskRecord.objects.filter(pk=run_id(KEY.uid, minute(1))).exists()
    late = runs.decide_tick(KEY, spec, minute(1), "enqueued", minute(1) + timedelta(seconds=40))
    assert (late.outcome, late.totals) == ("written", runs.Totals(2, 0, 0))
    assert TaskRecord.objects.filter(pk=run_id(KEY.uid, minute(1))).exists()
    assert runs.decide_tick(KEY, spec, minute(1), "enqueued", minute(1)).outcome == "exists"


def test_observe_lists_active_runs_and_closes_finished_ones(spec: ScheduleSpec) -> None:
    runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0))
    runs.decide_tick(KEY, spec, minute(1), "enqueued", minute(1))
    first = run_id(KEY.uid, minute(0))
    assert runs.observe("default", KEY.uid).active == (first, run_id(KEY.uid, minute(1)))
    TaskRecord.objects.filter(pk=first).update(
        status="SUCCESSFUL", finished_at=minute(0) + timedelta(seconds=9)
    )
    assert runs.observe("default", KEY.uid).active == (run_id(KEY.uid, minute(1)),)
    assert ScheduledRun.objects.get(pk=first).open is False
    views = runs.history("default", KEY.uid)
    assert [(v.task_id, v.status) for v in views] == [
        (run_id(KEY.uid, minute(1)), "READY"),
        (first, "SUCCESSFUL"),
    ]
    assert runs.last_success(views) == minute(0) + timedelta(seconds=9)
    TaskRecord.objects.filter(pk=first).delete()  # pruned: the ledger keeps the tick
    assert runs.history("default", KEY.uid)[1].status == "GONE"


def test_replace_cancels_the_active_run_in_the_same_transaction(spec: ScheduleSpec) -> None:
    runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0))
    previous = run_id(KEY.uid, minute(0))
    written = runs.decide_tick(KEY, spec, minute(1), "enqueued", minute(1), replace=[previous])
    assert written.cancelled == (previous,)
    cancelled = TaskRecord.objects.get(pk=previous)
    assert cancelled.status == "FAILED"
    assert cancelled.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.TaskCancelled"
    assert TaskRecord.objects.get(pk=written.task_id).status == "READY"


def test_a_run_that_cannot_be_enqueued_leaves_no_ledger_row(
    spec: ScheduleSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(runs, "store_tasks", refuse)
    with pytest.raises(RuntimeError):
        runs.decide_tick(KEY, spec, minute(0), "enqueued", minute(0))
    assert not ScheduledRun.objects.exists() and not TaskRecord.objects.exists()


def test_trim_follows_the_pruned_task_rows_and_keeps_each_live_schedules_newest(spec: ScheduleSpec) -> None:
    for n in range(3):
        runs.decide_tick(KEY, spec, minute(n), "enqueued", minute(n))
    runs.decide_tick(KEY, spec, minute(4), "skipped", minute(4))  # a tick with no task
    TaskRecord.objects.filter(pk__in=[run_id(KEY.uid, minute(0)), run_id(KEY.uid, minute(1))]).delete()
    assert runs.trim("default", "default", live={KEY.uid}) == 2  # the two pruned ones; the newest stays
    assert [r.scheduled_at for r in ScheduledRun.objects.order_by("scheduled_at")] == [minute(2), minute(4)]
    assert runs.observe("default", KEY.uid).totals == runs.Totals(runs=3, skipped=1, missed=1)  # kept
    assert runs.trim("default", "other-namespace", live=set()) == 0
    TaskRecord.objects.all().delete()
    assert runs.trim("default", "default", live=set()) == 2  # the schedule is gone, and so are its tasks
    assert not ScheduledRun.objects.exists()
