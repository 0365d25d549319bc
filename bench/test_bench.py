"""Unit tests of the benchmark's pure parts (no cluster, no database):
``.venv/bin/pytest bench/test_bench.py bench/test_sealed.py -q -p no:django``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.cluster_proc import Instruments, request_key, resource_of
from bench.counts import events_caught_up, last_task_write, reads, since, writes
from bench.ddl import index_shape, insert_sql, sqlite_copy
from bench.qps_operator import TokenBucket
from bench.quiet import Streak, settled_enough
from bench.report import label, results
from bench.resync_cost import Pass, passes, window
from bench.run import aims_text
from bench.stats import Summary, percentile, ratios, result, table
from bench.test_sealed import sealed_repetition

ROOT = Path(__file__).resolve().parents[1]


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


def test_table_numbers_show_what_a_target_turns_on() -> None:
    rows = [result("w", "writes/task", [2.0001], None, database="d", size="s", check=lambda o, _: o <= 2)]
    assert "2.0001" in table(rows) and rows[0].value == 2.0001 and rows[0].passed is False
    assert "2.00 " in table([result("w", "writes/task", [2.0], None, database="d", size="s")])
    assert "0.50 " in table([result("c", "%", [0.5], None, database="d", size="s")])


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


def test_writes_and_events_use_the_counting_keys() -> None:
    # the keys bench.cluster_proc's middleware makes: "METHOD resource"
    assert resource_of("/api/v1/namespaces/default/events") == "events"
    requests = {
        "POST jobs": 10,
        "POST events": 7,
        "GET jobs": 3,
        "WATCH pods": 1,
        "PATCH taskqueues/status": 2,
    }
    assert writes(requests) == 19
    assert events_caught_up(requests, 10, batch=2)  # 10 Jobs are at least 5 batches of 2: 7 Events will do
    assert not events_caught_up(requests, 10, batch=1)  # one Job per batch: 10 Events needed
    assert not events_caught_up(requests, 11, batch=200)  # a Job still to come
    assert not events_caught_up({"POST jobs": 10}, 10, batch=200)  # the last batch's Event still to come
    assert events_caught_up({}, 0, batch=200)
    assert last_task_write({"POST jobs": 3.0, "POST events": 4.0, "PATCH taskqueues/status": 9.0}) == 4.0


def test_instrument_counts_are_sizes_not_stamps() -> None:
    instruments = Instruments()
    instruments.requests["POST jobs"] += 2
    instruments.created |= {"a": 1.0, "b": 2.0}
    instruments.last_write["POST jobs"] = 5.0
    instruments.secrets["a"] = 1.5
    for _ in range(2):  # a pod retried twice is one pod that found no Secret
        instruments.failed_mount.add("task-a-1-x")
    assert instruments.counts() == {
        "requests": {"POST jobs": 2},
        "last_write": {"POST jobs": 5.0},
        "created": 2,
        "finished": 0,
        "secrets": 1,
        "failed_mount": 1,
    }
    assert instruments.stats()["created"] == {"a": 1.0, "b": 2.0}
    assert instruments.stats()["secrets"] == {"a": 1.5}


def test_streak_needs_an_unchanged_value_and_low_average_cpu() -> None:
    streak = Streak()
    assert streak.update(1.0, {"POST jobs": 1}) == 0  # nothing to compare with yet
    assert streak.update(0.0, {"POST jobs": 1}) == 1
    assert streak.quiet(2, 10.0) == 0  # one window so far
    assert streak.update(12.0, {"POST jobs": 1}) == 2
    assert streak.quiet(2, 10.0) == 2  # (0 + 12) / 2 < 10: an idle poll every second
    assert streak.update(50.0, {"POST jobs": 1}) == 3
    assert streak.quiet(2, 10.0) == 0  # busy
    assert streak.update(1.0, {"POST jobs": 2}) == 0  # a request came in


def test_settled_waits_for_the_condition_unless_quiet_for_long() -> None:
    assert not settled_enough(1, True, windows=2, patience=20)
    assert settled_enough(2, True, windows=2, patience=20)
    assert not settled_enough(5, False, windows=2, patience=20)  # Events still to come
    assert settled_enough(20, False, windows=2, patience=20)  # none will come


def raw_measurements(database: str) -> dict:
    sizes = {
        "repetitions": 2,
        "dispatch": 10_000,
        "inflight": 1000,
        "peer_drain": 300,
        "qps_tasks": 60,
        "enqueue_sequential": 2000,
        "enqueue_atomic": 500,
        "latency_rates": [[10.0, 2.0]],
        "writeback_tasks": 10,
        "ready_backlogs": [10_000, 100_000],
        "finished_rows": 200_000,
        "resync_seconds": 30.0,
        "resync_window": 60.0,
        "sealed_dispatch": 2000,
        "sealed_latency": [2.0, 15.0],
    }
    resync = {
        "window_seconds": 60.2,
        "resync_period": 30.0,
        "cpu_percent": 3.0,
        "reads_per_minute": 2.0,
        "writes_per_minute": 0.0,
        "requests": {"WATCH pods": 1, "LIST jobs": 1},
        "pass_seconds": [0.2, 0.4],
        "pass_rows": [10_000, 10_000],
        "queued": 0,
    }
    dispatch = {
        "rate": 100.0,
        "writes_per_task": 2.0,
        "requests": {"POST jobs": 10_000, "GET jobs": 3},
        "rss_inflight": 110.0,
        "cpu_inflight": 5.0,
        "settle_seconds": 3.0,
        "settled": True,
        "events_caught_up": True,
        "resync": resync,
    }
    latency = {
        "rss_idle": 90.0,
        "latency_10": [10.0, 20.0, 200.0],
        "writeback": [40.0, 60.0],
        "rate_inflight": 100.0,
        "rss_inflight": 130.0,
        "cpu_inflight": 5.0,
    }
    backlog = {"rss_backlog_0": 90.0, "cpu_backlog_0": 1.0}
    for n in (10_000, 100_000):
        backlog |= {f"rss_backlog_{n}": 95.0, f"cpu_backlog_{n}": 2.0}
    enqueue = {
        "ours_sequential": 300.0,
        "peer_sequential": 200.0,
        "ours_atomic": 100.0,
        "peer_atomic": 200.0,
        "ours_bulk": 3000.0,
        "bare_insert": 400.0,
    }
    return {
        "database": database,
        "sizes": sizes,
        "database_version": "x",
        "enqueue": [enqueue, enqueue],
        "dispatch": [
            {
                "ours": dispatch,
                "peer": dispatch,
                "bare_creates": {"rate": 100.0 / 0.9, "answered_rate": 120.0},
            }
        ]
        * 2,
        "latency": [{"ours": latency, "peer": latency}] * 2,
        "qps": [{"rate": 12.0, "written_rate": 10.0, "writes_per_task": 2.0}] * 2,
        "backlog": [{"ours": backlog, "peer": backlog}] * 2,
        "full_table": [{"ours": {"rate_full_table": 79.0}, "peer": {"rate_full_table": 20.0}}] * 2,
        "sealed": [sealed_repetition(2.006), sealed_repetition(2.004)],
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
    assert verdicts["rss_10k_jobs_in_flight"] is True  # 110 MB
    assert verdicts["rss_growth_idle_to_max_ready"] is True  # 5 MB
    assert verdicts["drain_rate_200k_finished"] is False  # 79 < 0.8 x 100
    assert verdicts["enqueue_sequential_vs_bare_insert"] is None  # an aim, not a target
    assert verdicts["dispatch_rate_vs_bare_creates"] is None
    sqlite = {r.metric: r.passed for r in results(raw_measurements("sqlite"))}
    assert sqlite["enqueue_to_job_p95_at_10_per_s"] is None  # the 100 ms target is for LISTEN/NOTIFY


def test_results_have_every_metric_once_with_the_json_schema() -> None:
    rows = results(raw_measurements("sqlite"))
    metrics = [r.metric for r in rows]
    assert len(metrics) == len(set(metrics))
    for metric in (
        "dispatch_rate",
        "drain_rate_empty_table",
        "settle_after_10k_dispatch",
        "cpu_10k_jobs_in_flight",
        "cpu_10k_jobs_in_flight_with_resyncs",
        "api_reads_per_min_10k_jobs_in_flight",
        "resync_seconds_10k_jobs_in_flight",
        "bare_insert",
        "enqueue_sequential_vs_bare_insert",
        "bare_job_creates",
        "dispatch_rate_vs_bare_creates",
    ):
        assert metric in metrics
    keys = {"metric", "value", "unit", "peer_value", "ratio", "target", "pass", "aim_met"}
    assert all(keys <= r.to_json().keys() for r in rows)
    drain = next(r for r in rows if r.metric == "drain_rate_200k_finished")
    assert (drain.value, drain.peer_value, drain.passed) == (79.0, 20.0, False)  # the empty table: 100/s


def test_the_ceilings_are_ratios_of_the_same_repetition_with_aims() -> None:
    rows = {r.metric: r for r in results(raw_measurements("postgres"))}
    enqueue = rows["enqueue_sequential_vs_bare_insert"]
    assert (enqueue.value, enqueue.unit, enqueue.aim_met, enqueue.passed) == (0.75, "x", False, None)
    assert rows["bare_insert"].value == 400.0 and "psycopg" in rows["bare_insert"].size
    assert "sqlite3" in {r.metric: r for r in results(raw_measurements("sqlite"))}["bare_insert"].size
    dispatch = rows["dispatch_rate_vs_bare_creates"]
    assert (dispatch.value, dispatch.aim_met, dispatch.passed) == (0.9, True, None)
    assert rows["bare_job_creates"].value == pytest.approx(111.1111)
    assert "aim (next): >= 0.8x" in dispatch.target
    text = table([enqueue, dispatch])
    assert "below aim" in text and "aim met" in text and "FAIL" not in text
    assert aims_text([enqueue, dispatch]) == (
        "aimed at next (not targets of this run): reached 1; below: 1: "
        "enqueue_sequential_vs_bare_insert (postgres) 0.75"
    )
    assert ratios([2.0, 3.0], [4.0, 3.0]) == [0.5, 1.0]
    with pytest.raises(ValueError):
        ratios([1.0], [])


def test_resync_rows() -> None:
    rows = {r.metric: r for r in results(raw_measurements("sqlite"))}
    assert rows["cpu_10k_jobs_in_flight_with_resyncs"].value == 3.0
    assert "resync every 30 s" in rows["cpu_10k_jobs_in_flight_with_resyncs"].size
    assert "shortened" not in rows["cpu_10k_jobs_in_flight_with_resyncs"].size
    reads_row = rows["api_reads_per_min_10k_jobs_in_flight"]
    assert reads_row.value == 2.0 and "LIST jobs 1, WATCH pods 1" in reads_row.note
    assert rows["resync_seconds_10k_jobs_in_flight"].value == pytest.approx(0.3)  # median of 0.2, 0.4
    assert "rows compared per pass: 10000" in rows["resync_seconds_10k_jobs_in_flight"].note


def test_request_keys_use_the_api_servers_verbs() -> None:
    assert request_key("GET", "/apis/batch/v1/namespaces/default/jobs", False) == "LIST jobs"
    assert request_key("GET", "/apis/batch/v1/namespaces/default/jobs", True) == "WATCH jobs"
    assert request_key("GET", "/apis/batch/v1/namespaces/default/jobs/task-1", False) == "GET jobs"
    assert request_key("GET", "/api/v1/namespaces/default", False) == "GET namespaces"
    assert request_key("GET", "/api/v1/namespaces", False) == "LIST namespaces"
    assert request_key("PATCH", "/apis/k8stasks.io/v1alpha1/namespaces/d/taskqueues/q/status", False) == (
        "PATCH taskqueues/status"
    )
    assert request_key("POST", "/api/v1/namespaces/default/events", False) == "POST events"
    counts = {"LIST jobs": 2, "GET jobs": 1, "WATCH pods": 3, "POST jobs": 5}
    assert (reads(counts), writes(counts)) == (6, 5)
    assert since({"LIST jobs": 4, "GET jobs": 1, "POST events": 1}, counts) == {
        "LIST jobs": 2,
        "POST events": 1,
    }


def operator_resync_format() -> str:
    """The format string of the operator's resync line, read from its source (not imported: Django)."""
    tree = ast.parse((ROOT / "operator/k8s_tasks_operator/resync.py").read_text())
    found = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("resync: ")
    ]
    assert len(found) == 1, found
    return found[0]


def test_resync_passes_are_read_from_the_operators_own_line() -> None:
    line = operator_resync_format() % (10_000, 0, 0, 0.1234)
    log = (
        f"2026-12-01 10:00:00,001 DEBUG k8s_tasks_operator: {line}\n"
        "2026-12-01 10:00:01,000 INFO k8s_tasks_operator: dispatched x attempt 1 as Job task-x-1\n"
        f"2026-12-01 10:00:30,001 INFO k8s_tasks_operator: {operator_resync_format() % (9, 2, 1, 1.5)}\n"
        f"2026-12-01 10:01:00,001 DEBUG k8s_tasks_operator: {line}"  # still being written: not counted
    )
    assert passes(log) == [Pass(10_000, 0, 0, 0.123), Pass(9, 2, 1, 1.5)]
    measured = window(
        30.0, 1.5, {"LIST jobs": 1, "WATCH pods": 2, "PATCH taskqueues/status": 3}, passes(log), 5
    )
    assert measured["cpu_percent"] == 5.0
    assert (measured["reads_per_minute"], measured["writes_per_minute"]) == (6.0, 6.0)
    assert (measured["pass_seconds"], measured["pass_rows"], measured["queued"]) == (
        [0.123, 1.5],
        [10_000, 9],
        3,
    )


def test_the_bare_table_is_a_renamed_copy() -> None:
    catalog = [
        ("table", "k8s_tasks_taskrecord", 'CREATE TABLE "k8s_tasks_taskrecord" ("id" varchar(64) NOT NULL)'),
        (
            "index",
            "k8s_tasks_claim_idx",
            'CREATE INDEX "k8s_tasks_claim_idx" ON "k8s_tasks_taskrecord" ("id")',
        ),
    ]
    table, index = sqlite_copy(catalog, "k8s_tasks_taskrecord", "bare")
    assert table == 'CREATE TABLE "bare" ("id" varchar(64) NOT NULL)'
    assert index == 'CREATE INDEX "bare__k8s_tasks_claim_idx" ON "bare" ("id")'
    assert index_shape(index) == index_shape(catalog[1][2]) == 'CREATE INDEX ON ("id")'
    postgres = "CREATE UNIQUE INDEX bare_pkey ON public.bare USING btree (id)"
    assert index_shape(postgres) == "CREATE UNIQUE INDEX ON USING btree (id)"
    assert insert_sql("bare", ["id", "args"], "?") == 'INSERT INTO "bare" ("id", "args") VALUES (?, ?)'
