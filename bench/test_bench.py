"""Unit tests of the benchmark's pure parts (no cluster, no database):
``.venv/bin/pytest bench/test_bench.py -q -p no:django``."""

from __future__ import annotations

import pytest

from bench.cluster_proc import resource_of
from bench.qps_operator import TokenBucket
from bench.report import label, results
from bench.stats import Summary, percentile, result, table


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert percentile(list(range(101)), 95) == 95
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summary_median_min_max() -> None:
    assert Summary.of([3, 1, 2]) == Summary(2, 1, 3, 3)


def test_result_ratio_and_check_use_medians() -> None:
    row = result(
        "m",
        "tasks/s",
        [10, 30, 20],
        [5, 10, 15],
        database="sqlite",
        size="n",
        target=">= 2x",
        check=lambda ours, peer: peer is not None and ours >= 2 * peer,
    )
    assert (row.value, row.peer_value, row.ratio, row.passed) == (20, 10, 2.0, True)
    assert (row.min, row.max, row.peer_min, row.peer_max, row.repetitions) == (10, 30, 5, 15, 3)
    assert result("m", "ms", [1], None, database="d", size="s").to_json()["pass"] is None


def test_table_has_a_line_per_result() -> None:
    rows = [
        result("a", "ms", [1.5], [3], database="sqlite", size="s", target="<= 2", check=lambda o, _: o <= 2)
    ]
    text = table(rows)
    assert "PASS" in text and "0.50x" in text and text.count("\n") == 2


def test_resource_of_paths() -> None:
    assert resource_of("/apis/batch/v1/namespaces/default/jobs") == "jobs"
    assert resource_of("/api/v1/namespaces/default/events") == "events"
    assert resource_of("/apis/k8stasks.io/v1alpha1/namespaces/d/taskqueues/q/status") == "taskqueues/status"
    assert resource_of("/healthz") == "other"


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(20, 30, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(30)] == [0.0] * 30
    assert bucket.reserve() == pytest.approx(0.05)  # the 31st waits one token at 20/s
    now[0] = 10.0
    assert bucket.reserve() == 0.0  # refilled (capped at the burst)


def test_label() -> None:
    assert (label(100), label(1000), label(200_000), label(1500)) == ("100", "1k", "200k", "1500")


def raw_measurements(database: str) -> dict:
    sizes = {
        "repetitions": 2,
        "dispatch": 1000,
        "peer_drain": 300,
        "qps_tasks": 60,
        "enqueue_sequential": 2000,
        "enqueue_atomic": 500,
        "latency_rates": [[10.0, 2.0]],
        "writeback_tasks": 10,
        "ready_backlogs": [10_000, 100_000],
        "finished_rows": 200_000,
    }
    side = {
        "rate": 100.0,
        "writes_per_task": 2.0,
        "requests": {"POST jobs": 1000, "GET jobs": 3},
        "rss_idle": 90.0,
        "rss_inflight": 130.0,
        "cpu_inflight": 5.0,
        "latency_10": [10.0, 20.0, 200.0],
        "writeback": [40.0, 60.0],
    }
    backlog = {"rss_backlog_0": 90.0, "cpu_backlog_0": 1.0, "rate_full_table": 79.0}
    for n in (10_000, 100_000):
        backlog |= {f"rss_backlog_{n}": 95.0, f"cpu_backlog_{n}": 2.0}
    enqueue = {
        "ours_sequential": 300.0,
        "peer_sequential": 200.0,
        "ours_atomic": 100.0,
        "peer_atomic": 200.0,
        "ours_bulk": 3000.0,
    }
    return {
        "database": database,
        "sizes": sizes,
        "database_version": "x",
        "enqueue": [enqueue, enqueue],
        "main": [{"ours": side, "peer": side}] * 2,
        "qps": [{"rate": 10.0, "writes_per_task": 2.0}] * 2,
        "backlog": [{"ours": backlog, "peer": backlog}] * 2,
    }


def test_results_apply_the_issue_targets() -> None:
    verdicts = {r.metric: r.passed for r in results(raw_measurements("postgres"))}
    assert verdicts["enqueue_sequential"] is True  # 300 >= 1.2 x 200
    assert verdicts["enqueue_atomic"] is False
    assert verdicts["enqueue_many"] is True  # 3000 >= 10 x 300
    assert verdicts["dispatch_rate"] is False  # 1x the peer, not 2x
    assert verdicts["api_writes_per_task"] is True
    assert verdicts["enqueue_to_job_p95_at_10_per_s"] is False  # p95 of 10, 20, 200 ms is 182 ms
    assert verdicts["writeback_p95"] is False  # 59 ms
    assert verdicts["rss_1k_jobs_in_flight"] is False  # 130 MB
    assert verdicts["rss_growth_idle_to_max_ready"] is True  # 5 MB
    assert verdicts["drain_rate_200k_finished"] is False  # 79 < 0.8 x 100
    sqlite = {r.metric: r.passed for r in results(raw_measurements("sqlite"))}
    assert sqlite["enqueue_to_job_p95_at_10_per_s"] is None  # the 100 ms target is for LISTEN/NOTIFY
