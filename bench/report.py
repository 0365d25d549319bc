"""Raw measurements of one database (bench.runner's JSON) -> result rows with targets. Pure functions."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from .counts import is_write
from .report_limits import ceiling_results, resync_results
from .report_sealed import sealed_results
from .stats import Result, column, label, percentile, result

QUANTILES = (50, 95, 99)
RSS_LIMIT_MB = 120.0
FLAT_MB = 10.0  # "flat as the queue grows": at most this much more RSS at 100k READY rows than idle


def quantile_column(reps: Sequence[dict[str, Any]], side: str, key: str, q: float) -> list[float]:
    return [percentile(rep[side][key], q) for rep in reps]


def enqueue_results(raw: dict[str, Any]) -> list[Result]:
    db, reps, sizes = raw["database"], raw["enqueue"], raw["sizes"]
    out = []
    for variant, count in (("sequential", sizes["enqueue_sequential"]), ("atomic", sizes["enqueue_atomic"])):
        out.append(
            result(
                f"enqueue_{variant}",
                "tasks/s",
                column(reps, f"ours_{variant}"),
                column(reps, f"peer_{variant}"),
                database=db,
                size=f"{count} enqueues" + (" in one transaction.atomic()" if variant == "atomic" else ""),
                target=">= 1.2x peer",
                check=lambda ours, peer: peer is not None and ours >= 1.2 * peer,
            )
        )
    single = out[0].value
    out.append(
        result(
            "enqueue_many",
            "tasks/s",
            column(reps, "ours_bulk"),
            column(reps, "peer_sequential"),
            database=db,
            size=f"{sizes['enqueue_sequential']} tasks in one enqueue_many() call",
            target=f">= 10x our single enqueue ({single:,.0f}/s)",
            check=lambda ours, _: ours >= 10 * single,
            note="peer column: the peer's sequential enqueue (it has no bulk API)",
        )
    )
    return out


def dispatch_results(raw: dict[str, Any]) -> list[Result]:
    db, reps, sizes = raw["database"], raw["dispatch"], raw["sizes"]
    rate = result(
        "dispatch_rate",
        "tasks/s",
        column(reps, "ours", "rate"),
        column(reps, "peer", "rate"),
        database=db,
        size=f"ours: {sizes['dispatch']} READY tasks -> Jobs created; peer: {sizes['peer_drain']} tasks run "
        "end to end by one db_worker",
        target=">= 2x peer",
        check=lambda ours, peer: peer is not None and ours >= 2 * peer,
        note="ours counts Jobs created (fake runtime: pods do not run the task); from the commit of the rows",
    )
    writes = result(
        "api_writes_per_task",
        "writes/task",
        column(reps, "ours", "writes_per_task"),
        None,
        database=db,
        size=f"{sizes['dispatch']} tasks dispatched",
        target="<= 2",
        check=lambda ours, _: ours <= 2.0,
        note="POST/PUT/PATCH/DELETE seen by the API server until the operator settled (its Events in, "
        "CPU < 10 %), first repetition: " + _requests_note(reps[0]["ours"]["requests"]) + _unsettled(reps),
    )
    qps = raw["qps"]
    limited = result(
        "dispatch_rate_20qps",
        "tasks/s",
        column(qps, "written_rate"),
        None,
        database=db,
        size=f"{sizes['qps_tasks']} tasks, client token bucket 20 QPS, burst 30 (kube-controller-manager)",
        note="tasks/s from the commit to the last write (Jobs and the Dispatched Event of each "
        "claimed batch, posted after its Jobs); to the last Job alone: "
        + ", ".join(f"{r:.1f}" for r in column(qps, "rate"))
        + "; writes/task at 20 QPS: "
        + ", ".join(f"{w:.2f}" for w in column(qps, "writes_per_task")),
    )
    return [rate, writes, limited]


def latency_results(raw: dict[str, Any]) -> list[Result]:
    db, reps, sizes = raw["database"], raw["latency"], raw["sizes"]
    out = []
    for rate, seconds in sizes["latency_rates"]:
        key = f"latency_{rate:g}"
        for q in QUANTILES:
            gated = q == 95 and db == "postgres"
            out.append(
                result(
                    f"enqueue_to_job_p{q}_at_{rate:g}_per_s",
                    "ms",
                    quantile_column(reps, "ours", key, q),
                    quantile_column(reps, "peer", key, q),
                    database=db,
                    size=f"{round(rate * seconds)} tasks offered at {rate:g}/s per repetition",
                    target="<= 100 ms" if gated else "",
                    check=(lambda ours, _: ours <= 100.0) if gated else None,
                    note="ours: a fresh operator, quiet before the load; peer: enqueue to started_at with "
                    "db_worker's default 1 s poll"
                    + ("" if db == "postgres" else "; ours on SQLite has no LISTEN/NOTIFY: 1 s poll"),
                )
            )
    for q in (50, 95):
        out.append(
            result(
                f"writeback_p{q}",
                "ms",
                quantile_column(reps, "ours", "writeback", q),
                quantile_column(reps, "peer", "writeback", q),
                database=db,
                size=f"{sizes['writeback_tasks']} Jobs that end without a result, at 10/s",
                target="<= 50 ms" if q == 95 else "",
                check=(lambda ours, _: ours <= 50.0) if q == 95 else None,
                note="ours: Job-finished event (cluster clock) -> finished_at the operator writes; peer: "
                "task function returned -> finished_at db_worker writes (stamped before the UPDATE)",
            )
        )
    return out


def memory_results(raw: dict[str, Any]) -> list[Result]:
    db, latency, backlog, sizes = raw["database"], raw["latency"], raw["backlog"], raw["sizes"]
    dispatch = raw["dispatch"]
    under = lambda ours, _: ours <= RSS_LIMIT_MB  # noqa: E731
    ready = "ours with concurrency 0 (nothing dispatched); peer's worker runs the backlog meanwhile"
    out = [
        result(
            "rss_idle",
            "MB",
            column(latency, "ours", "rss_idle"),
            column(latency, "peer", "rss_idle"),
            database=db,
            size="idle, just started",
            target=f"<= {RSS_LIMIT_MB:.0f} MB",
            check=under,
        )
    ]
    for n in sizes["ready_backlogs"]:
        out.append(
            result(
                f"rss_{label(n)}_ready",
                "MB",
                column(backlog, "ours", f"rss_backlog_{n}"),
                column(backlog, "peer", f"rss_backlog_{n}"),
                database=db,
                size=f"{n} READY rows",
                target=f"<= {RSS_LIMIT_MB:.0f} MB",
                check=under,
                note=ready,
            )
        )
    settled = "after the dispatch, once the operator settled (no requests and CPU < 10 % over 1 s)"
    for reps, n, note in (
        (latency, sizes["inflight"], ""),
        (dispatch, sizes["dispatch"], "new metric (the issue asks for 1k in flight); "),
    ):
        out.append(
            result(
                f"rss_{label(n)}_jobs_in_flight",
                "MB",
                column(reps, "ours", "rss_inflight"),
                None,
                database=db,
                size=f"{n} Jobs created and running",
                target=f"<= {RSS_LIMIT_MB:.0f} MB",
                check=under,
                note=note + settled,
            )
        )
    largest = sizes["ready_backlogs"][-1]
    growth = [rep["ours"][f"rss_backlog_{largest}"] - rep["ours"]["rss_backlog_0"] for rep in backlog]
    peer_growth = [rep["peer"][f"rss_backlog_{largest}"] - rep["peer"]["rss_backlog_0"] for rep in backlog]
    out.append(
        result(
            "rss_growth_idle_to_max_ready",
            "MB",
            growth,
            peer_growth,
            database=db,
            size=f"0 -> {largest} READY rows",
            target=f"<= {FLAT_MB:.0f} MB (flat)",
            check=lambda ours, _: ours <= FLAT_MB,
        )
    )
    for n in (0, *sizes["ready_backlogs"]):
        out.append(
            result(
                f"cpu_{label(n)}_ready" if n else "cpu_idle",
                "% of a core",
                column(backlog, "ours", f"cpu_backlog_{n}"),
                column(backlog, "peer", f"cpu_backlog_{n}"),
                database=db,
                size=f"{n} READY rows, 1 s window",
                note="the peer's worker is running its backlog, ours dispatches nothing (concurrency 0)"
                if n
                else "",
            )
        )
    for reps, n in ((latency, sizes["inflight"]), (dispatch, sizes["dispatch"])):
        out.append(
            result(
                f"cpu_{label(n)}_jobs_in_flight",
                "% of a core",
                column(reps, "ours", "cpu_inflight"),
                None,
                database=db,
                size=f"{n} Jobs running, 1 s window once the operator settled",
            )
        )
    out.append(
        result(
            f"settle_after_{label(sizes['dispatch'])}_dispatch",
            "s",
            column(dispatch, "ours", "settle_seconds"),
            None,
            database=db,
            size=f"{sizes['dispatch']} Jobs created",
            note="from the last Job created until the operator settled (its Dispatched Events posted, "
            "CPU < 10 %): the watch events of the Jobs and pods it digests after creating them",
        )
    )
    return out


def drain_results(raw: dict[str, Any]) -> list[Result]:
    db, latency, full_table, sizes = raw["database"], raw["latency"], raw["full_table"], raw["sizes"]
    n, finished = sizes["inflight"], sizes["finished_rows"]
    empty_rates = column(latency, "ours", "rate_inflight")
    empty = statistics.median(empty_rates)
    sizes_note = f"ours {n} tasks (a fresh operator), peer {sizes['peer_drain']} tasks (one db_worker)"
    paced = sum(round(rate * seconds) for rate, seconds in sizes["latency_rates"]) + sizes["writeback_tasks"]
    return [
        result(
            "drain_rate_empty_table",
            "tasks/s",
            empty_rates,
            column(raw["dispatch"], "peer", "rate"),
            database=db,
            size=f"no finished rows; {sizes_note}",
            note=f"ours: the {label(n)} dispatch of the latency run (after its {paced} paced tasks ended); "
            "peer: its dispatch_rate",
        ),
        result(
            f"drain_rate_{label(finished)}_finished",
            "tasks/s",
            column(full_table, "ours", "rate_full_table"),
            column(full_table, "peer", "rate_full_table"),
            database=db,
            size=f"{finished} SUCCESSFUL rows in the table; {sizes_note}",
            target=f">= 0.8x our empty-table rate ({empty:,.0f}/s)",
            check=lambda ours, _: ours >= 0.8 * empty,
            note="the finished rows are inserted once (then ANALYZE on PostgreSQL) and kept for every "
            "repetition",
        ),
    ]


def results(raw: dict[str, Any]) -> list[Result]:
    return [
        *enqueue_results(raw),
        *dispatch_results(raw),
        *latency_results(raw),
        *memory_results(raw),
        *resync_results(raw),
        *drain_results(raw),
        *ceiling_results(raw),
        *sealed_results(raw),
    ]


def _unsettled(reps: Sequence[dict[str, Any]]) -> str:
    late = sum(not rep["ours"]["events_caught_up"] or not rep["ours"]["settled"] for rep in reps)
    return f"; in {late} repetition(s) the operator did not settle with every Event in" if late else ""


def _requests_note(requests: dict[str, int]) -> str:
    writes = {k: v for k, v in requests.items() if is_write(k)}
    return ", ".join(f"{k} {v}" for k, v in sorted(writes.items())) or "none"
