"""Unit tests of the sealed phase's pure parts (bench.sealed_stats, bench.report_sealed; no cluster, no
database): ``.venv/bin/pytest bench/test_bench.py bench/test_sealed.py -q -p no:django``."""

from __future__ import annotations

import pytest

from bench.counts import writes
from bench.report import results
from bench.run import sizes_text
from bench.sealed_stats import STEPS, dispatched_at, per_task_writes, step_ms, task_stamps


def paced_task(sent: float, sealed: bool) -> dict[str, float | None]:
    """A task's stamps as bench.sealed records them (seconds): sealed finished_at after its Job ends."""
    if sealed:
        return {
            "sent": sent,
            "job": sent + 0.5,
            "secret": sent + 0.505,
            "running": sent + 2.5,
            "job_finished": sent + 3.0,
            "started_at": sent + 3.004,
            "finished_at": sent + 3.005,
        }
    return {
        "sent": sent,
        "job": sent + 0.4,
        "secret": None,
        "running": sent + 0.41,
        "job_finished": sent + 0.9,
        "started_at": sent + 0.5,
        "finished_at": sent + 0.8,
    }


def sealed_repetition(writes_per_task: float, secret_posts: int = 2000) -> dict:
    """One repetition of bench.sealed.run: 2,000 tasks dispatched per queue, 30 paced per queue."""
    sealed_requests = {
        "POST jobs": 2000,
        "POST secrets": secret_posts,
        "POST events": 10,
        "PATCH taskqueues/status": 2,
    }
    direct_requests = {"POST jobs": 2000, "POST events": 10, "PATCH taskqueues/status": 2, "LIST jobs": 1}
    common = {"settled": True, "events_caught_up": True, "settle_seconds": 2.0}
    return {
        "order": ["direct", "sealed"],
        "dispatch": {
            "sealed": {
                "rate": 150.0,
                "jobs_rate": 200.0,
                "writes_per_task": writes_per_task,
                "requests": sealed_requests,
                "failed_mount": 2000,
                **common,
            },
            "direct": {
                "rate": 200.0,
                "jobs_rate": 200.0,
                "writes_per_task": 1.006,
                "requests": direct_requests,
                "failed_mount": 0,
                **common,
            },
        },
        "latency": {
            "sealed": {
                "tasks": [paced_task(i / 2, True) for i in range(30)],
                "writes_per_task": 3.0,
                "requests": {"POST jobs": 30, "POST secrets": 30, "POST events": 30},
                "failed_mount": 30,
            },
            "direct": {
                "tasks": [paced_task(i / 2, False) for i in range(30)],
                "writes_per_task": 2.0,
                "requests": {"POST jobs": 30, "POST events": 30},
                "failed_mount": 0,
            },
        },
    }


def test_a_sealed_task_is_dispatched_once_its_secret_exists() -> None:
    jobs, secrets = {"a": 1.0, "b": 2.0}, {"a": 3.0}
    assert dispatched_at(["a", "b"], jobs, secrets) == 3.0  # a's Secret came after b's Job
    assert dispatched_at(["a", "b"], jobs, {}) == 2.0  # direct: the last Job
    with pytest.raises(KeyError):
        dispatched_at(["c"], jobs, secrets)  # no Job: not dispatched


def test_task_stamps_and_steps() -> None:
    from datetime import UTC, datetime

    class Row:
        pk = "t1"
        started_at = datetime.fromtimestamp(12.0, UTC)
        finished_at = datetime.fromtimestamp(13.0, UTC)

    stats = {"created": {"t1": 10.5, "t2": 9.0}, "secrets": {}, "running": {"t1": 11.0}, "finished": {}}
    stamps = task_stamps(Row(), 10.0, stats)
    assert stamps == {
        "sent": 10.0,
        "job": 10.5,
        "secret": None,  # a direct task: no Secret
        "running": 11.0,
        "job_finished": None,  # not recorded
        "started_at": 12.0,
        "finished_at": 13.0,
    }
    assert step_ms([stamps], "total") == [3000.0]
    assert step_ms([stamps], "to_job") == [500.0]
    assert step_ms([stamps], "job_to_secret") == []  # steps without both stamps are left out
    assert step_ms([stamps, {**stamps, "sent": 12.0}], "total") == [3000.0, 1000.0]
    assert all(start != end for start, end in STEPS.values())


def test_per_task_writes_are_the_job_and_secret_posts() -> None:
    requests = {"POST jobs": 200, "POST secrets": 200, "POST events": 1, "PATCH taskqueues/status": 2}
    assert per_task_writes(requests, 200) == 2.0
    assert writes(requests) / 200 == 2.015  # what sealed_api_writes_per_task counts
    assert per_task_writes({"POST jobs": 10}, 10) == 1.0


def test_sealed_rows_compare_with_the_direct_queue() -> None:
    rows = {r.metric: r for r in results(raw("postgres"))}
    rate = rows["sealed_dispatch_rate"]
    assert (rate.value, rate.peer_value, rate.ratio, rate.passed) == (150.0, 200.0, 0.75, None)
    assert "to its last Job: 200/s, 200/s" in rate.note and "2000/2000" in rate.note
    writes_row = rows["sealed_api_writes_per_task"]
    # Job + Secret: 2 per task (the target); a third write per task (a duplicate Secret) would fail it
    assert (writes_row.value, writes_row.peer_value, writes_row.passed) == (2.0, 1.0, True)
    everything = rows["sealed_api_writes_per_task_all"]
    # the per-batch Events and per-interval status PATCHes on top: reported, no target
    assert (everything.value, everything.peer_value, everything.passed) == (2.005, 1.006, None)
    assert "LIST" not in everything.note  # writes only
    p50, p95 = rows["sealed_enqueue_to_result_p50"], rows["sealed_enqueue_to_result_p95"]
    assert (p50.value, p50.peer_value, p50.passed) == (3005.0, 800.0, None)
    assert p95.value == pytest.approx(3005.0)
    assert "sealed: to_job 500, job_to_secret 5, job_to_running 2000" in p50.note
    assert "direct: to_job 400, job_to_running 10, running_to_finished_at 390" in p50.note
    assert "LISTEN/NOTIFY" not in p50.note
    assert "LISTEN/NOTIFY" in {r.metric: r for r in results(raw("sqlite"))}[p50.metric].note
    paced = rows["sealed_api_writes_per_task_at_2_per_s"]
    assert (paced.value, paced.peer_value, paced.ratio) == (3.0, 2.0, 1.5)
    duplicated = raw("sqlite")
    duplicated["sealed"] = [sealed_repetition(2.0, secret_posts=2100)]
    assert {r.metric: r for r in results(duplicated)}["sealed_api_writes_per_task"].passed is False


def test_sizes_text_names_the_sealed_sizes() -> None:
    text = sizes_text(raw("sqlite"))
    assert "sealed vs direct queue: 2000 READY tasks each, latency 2/s for 15s each" in text


def raw(database: str) -> dict:
    """bench.test_bench's raw measurements of every phase (imported here: it imports this module)."""
    from bench.test_bench import raw_measurements

    return raw_measurements(database)
