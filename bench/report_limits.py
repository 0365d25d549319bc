"""Raw measurements -> result rows for what issue 12 asks measured: the resync's cost with N Jobs in flight,
and our enqueue and dispatch rates against their ceilings (bare INSERTs, bare Job creates) with the levels
aimed at next. Pure functions (bench.report adds these rows to the others)."""

from __future__ import annotations

import statistics
from typing import Any

from .counts import is_read
from .stats import Result, column, label, ratios, result

AIM = 0.8  # "the limits we aim at next": enqueue >= 0.8x the bare INSERT, dispatch >= 0.8x the bare creates
DRIVERS = {"postgres": "psycopg", "sqlite": "sqlite3"}


def resync_results(raw: dict[str, Any]) -> list[Result]:
    """CPU, API reads and resync seconds over the window measured after the dispatch run settled."""
    db, sizes = raw["database"], raw["sizes"]
    windows = [rep["ours"]["resync"] for rep in raw["dispatch"]]
    n = label(sizes["dispatch"])
    first = windows[0]
    period, seconds = first["resync_period"], first["window_seconds"]
    where = (
        f"{sizes['dispatch']} Jobs in flight, the operator settled after dispatching them; a "
        f"{seconds:.0f} s window, resync every {period:g} s"
        + ("" if period == 30 else " (shortened for this run: the default is 30 s)")
    )
    passes = ", ".join(str(len(w["pass_seconds"])) for w in windows)
    rows = sorted({r for w in windows for r in w["pass_rows"]})
    return [
        result(
            f"cpu_{n}_jobs_in_flight_with_resyncs",
            "% of a core",
            [w["cpu_percent"] for w in windows],
            None,
            database=db,
            size=where,
            note="utime + stime of the operator over the whole window (its resyncs, polls and periodic steps "
            f"included); resync passes in the windows: {passes}",
        ),
        result(
            f"api_reads_per_min_{n}_jobs_in_flight",
            "reads/min",
            [w["reads_per_minute"] for w in windows],
            None,
            database=db,
            size=where,
            note="GET, LIST and WATCH requests the API server received in the window, per minute; first "
            "repetition, by verb and resource: "
            + _requests(first["requests"])
            + "; writes/min: "
            + ", ".join(f"{w['writes_per_minute']:.1f}" for w in windows),
        ),
        result(
            f"resync_seconds_{n}_jobs_in_flight",
            "s/pass",
            [statistics.median(w["pass_seconds"]) for w in windows],
            None,
            database=db,
            size=where,
            note="median of the passes in each window (the operator's 'resync: ... (Ns)' line: every row "
            f"holding a Job compared with the Job cache); rows compared per pass: {_listed(rows)}; tasks "
            "queued for a look: " + ", ".join(str(w["queued"]) for w in windows),
        ),
    ]


def ceiling_results(raw: dict[str, Any]) -> list[Result]:
    """Each ceiling, and our rate as a ratio to the ceiling measured in the same repetition."""
    db, sizes = raw["database"], raw["sizes"]
    enqueue, dispatch = raw["enqueue"], raw["dispatch"]
    inserts = column(enqueue, "bare_insert")
    creates = column(dispatch, "bare_creates", "rate")
    aim = f"aim (next): >= {AIM:g}x"
    return [
        result(
            "bare_insert",
            "rows/s",
            inserts,
            None,
            database=db,
            size=f"{sizes['enqueue_sequential']} single-row INSERTs, autocommit, {DRIVERS.get(db, db)}, "
            "into a fresh table with our table's columns, types and indexes",
            note="the ceiling of enqueue_sequential, measured right after it in each repetition"
            + ("; without our NOTIFY trigger (a trigger, not an index)" if db == "postgres" else ""),
        ),
        result(
            "enqueue_sequential_vs_bare_insert",
            "x",
            ratios(column(enqueue, "ours_sequential"), inserts),
            None,
            database=db,
            size=f"{sizes['enqueue_sequential']} enqueues / as many bare INSERTs",
            target=aim,
            aim=lambda ratio, _: ratio >= AIM,
            note="enqueue_sequential / bare_insert of the same repetition, median of the repetitions; a "
            "level aimed at next, not a target of this issue",
        ),
        result(
            "bare_job_creates",
            "Jobs/s",
            creates,
            None,
            database=db,
            size=f"{sizes['dispatch']} Job creates, one thread, kubernetes client (BatchV1Api), a fresh "
            "local cluster",
            note="the ceiling of dispatch_rate: the operator's manifest for a task, unique names, from the "
            "first request to the last Job's ADDED event in the cluster; to the last answer: "
            + ", ".join(f"{r:.0f}" for r in column(dispatch, "bare_creates", "answered_rate")),
        ),
        result(
            "dispatch_rate_vs_bare_creates",
            "x",
            ratios(column(dispatch, "ours", "rate"), creates),
            None,
            database=db,
            size=f"{sizes['dispatch']} READY tasks -> Jobs / as many bare creates",
            target=aim,
            aim=lambda ratio, _: ratio >= AIM,
            note="dispatch_rate / bare_job_creates of the same repetition, median of the repetitions; a "
            "level aimed at next, not a target of this issue",
        ),
    ]


def _requests(requests: dict[str, int]) -> str:
    read = {k: v for k, v in requests.items() if is_read(k)}
    return ", ".join(f"{k} {v}" for k, v in sorted(read.items())) or "none"


def _listed(values: list[int]) -> str:
    return ", ".join(str(v) for v in values) if len(values) <= 3 else f"{values[0]}-{values[-1]}"
