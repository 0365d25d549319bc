"""The handler's decision for one task, from its row and its Jobs as observed: a pure function."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from k8s_tasks.models import TaskRecord
from k8s_tasks_operator.classify import outcome
from k8s_tasks_operator.converge import decide
from k8s_tasks_operator.jobcache import JobInfo
from k8s_tasks_operator.runtime import PodNews

CLAIMED = datetime(2026, 12, 5, tzinfo=UTC)


def row(status: str = "RUNNING", attempt: int = 1, **fields: Any) -> TaskRecord:
    values: dict[str, Any] = {
        "id": "t",
        "status": status,
        "attempt": attempt,
        "job_name": f"task-t-{attempt}",
        "dispatched_at": CLAIMED,
        "reason": "",
        "cancel_requested": False,
    }
    return TaskRecord(**(values | fields))


def job(attempt: int = 1, *, finished: bool = False, deleting: bool = False) -> JobInfo:
    return JobInfo(f"task-t-{attempt}", "default", "t", attempt, "q", "default", finished, deleting, 1)


@pytest.mark.parametrize(
    ("the_row", "jobs", "action"),
    [
        (row("RUNNING"), [job()], "nothing"),
        (row("RUNNING"), [], "vanished"),
        (row("READY"), [], "create"),
        (row("READY", dispatched_at=None, job_name=""), [], "nothing"),
        (row("RUNNING"), [job(finished=True)], "outcome"),
        (row("READY"), [job(finished=True)], "outcome"),
        (row("RUNNING", cancel_requested=True), [job()], "cancel"),
        (row("READY", cancel_requested=True), [], "cancel"),
        (row("SUCCESSFUL"), [job(finished=True)], "nothing"),
        (row("FAILED"), [], "nothing"),
        (row("RUNNING", attempt=2), [job(1, finished=True)], "vanished"),
    ],
)
def test_action(the_row: TaskRecord, jobs: list[JobInfo], action: str) -> None:
    assert decide(the_row, jobs, ended=False, waiting=None).action == action


def test_a_job_seen_finished_is_an_outcome_even_once_it_is_gone() -> None:
    assert decide(row("RUNNING"), [], ended=True, waiting=None).action == "outcome"


def test_waiting_pods() -> None:
    stuck = PodNews(None, outcome("ImagePullFailed", "Image pull failed", None))
    assert decide(row("READY"), [job()], ended=False, waiting=stuck).action == "hopeless"
    news = PodNews("Unschedulable: 0/3 nodes", None)
    assert decide(row("READY"), [job()], ended=False, waiting=news).action == "pending"
    written = row("READY", reason="Unschedulable: 0/3 nodes")
    assert decide(written, [job()], ended=False, waiting=news).action == "nothing", "written once"


def test_jobs_the_row_has_moved_past_are_stale() -> None:
    assert decide(row("SUCCESSFUL"), [job()], ended=False, waiting=None).stale == (job(),)
    older = decide(row("READY", attempt=2), [job(1), job(2)], ended=False, waiting=None)
    assert older.stale == (job(1),) and older.action == "nothing"
    assert decide(None, [job()], ended=False, waiting=None).stale == (job(),), "no row: orphaned"
    assert decide(row("FAILED"), [job(deleting=True)], ended=False, waiting=None).stale == ()
    assert decide(row("SUCCESSFUL"), [job(finished=True)], ended=False, waiting=None).stale == ()
