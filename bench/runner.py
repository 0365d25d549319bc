"""One database: every scenario, repeated, ours and the peer's interleaved. Writes the raw measurements
as JSON for bench.run (which starts this once per database, so each gets its own Django settings).

    python -m bench.runner --db sqlite|postgres --out RAW.json [--repetitions 5] [--phases dispatch,...]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import database
from .steps import log, step

PHASES = ("enqueue", "dispatch", "latency", "qps", "backlog", "full_table", "sealed")


def repeat(name: str, repetitions: int, run: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    phase = time.monotonic()
    for rep in range(repetitions):
        started = time.monotonic()
        out.append(run(rep))
        log(f"{name}: repetition {rep + 1}/{repetitions} in {time.monotonic() - started:.1f}s")
    log(f"{name}: {repetitions} repetitions in {time.monotonic() - phase:.1f}s")
    return out


def full_table(ctx: Any, run: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
    """The drain with finished rows in both tables: inserted once, kept for every repetition (the rows
    each repetition adds are deleted after it, its processes stopped)."""
    from . import rows

    rows.clear()
    started = time.monotonic()
    ours_stamp = rows.insert_ours(ctx.sizes.finished_rows, status="SUCCESSFUL")
    peer_stamp = rows.insert_peer(ctx.sizes.finished_rows, status="SUCCESSFUL")
    rows.analyze()
    log(f"{ctx.sizes.finished_rows} finished rows in each table in {time.monotonic() - started:.1f}s")

    def repetition(rep: int) -> dict[str, Any]:
        out = run(rep)
        left = rows.keep_only(ours_stamp, peer_stamp)
        if left != (ctx.sizes.finished_rows, ctx.sizes.finished_rows):
            raise SystemExit(f"benchmark: {left} rows left after a full-table repetition")
        return out

    try:
        return repeat("drain over finished rows", ctx.sizes.repetitions, repetition)
    finally:
        rows.clear()


def version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of every scenario")
    parser.add_argument("--phases", default=",".join(PHASES), help="a subset, to time or try one (no report)")
    args = parser.parse_args()
    # SIGTERM unwinds like an exception, so the cluster, operator and worker are stopped and the DB dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix=f"k8s-tasks-bench-{args.db}-"))
    db_env = database.choose(args.db, workdir)
    database.setup()

    from django.db import connections

    from . import ceilings, enqueue, ours, peer, sealed
    from .context import QUICK, Context, Sizes
    from .procs import base_env

    sizes = QUICK if args.quick else Sizes(repetitions=args.repetitions)
    ctx = Context(args.db, base_env(db_env), workdir, sizes)

    def both(ours_run: Callable[[Context], Any], peer_run: Callable[[Context], Any]) -> Callable[[int], Any]:
        def run(rep: int) -> dict[str, Any]:
            order = [("ours", ours_run), ("peer", peer_run)]
            if not ctx.ours_first(rep):
                order.reverse()
            return {name: fn(ctx) for name, fn in order}

        return run

    def with_creates(run: Callable[[int], dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
        """The dispatch repetition, then the ceiling it is compared with: bare Job creates."""

        def run_both(rep: int) -> dict[str, Any]:
            out = run(rep)
            with step(f"{sizes.dispatch} bare Job creates"):
                out["bare_creates"] = ceilings.creates_run(ctx)
            return out

        return run_both

    phases: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "enqueue": lambda: repeat(
            "enqueue",
            sizes.repetitions,
            lambda rep: enqueue.repetition(
                ctx.ours_first(rep), sizes.enqueue_sequential, sizes.enqueue_atomic
            ),
        ),
        "dispatch": lambda: repeat(
            "dispatch", sizes.repetitions, with_creates(both(ours.dispatch_run, peer.dispatch_run))
        ),
        "latency": lambda: repeat(
            "latency+write-back+1k in flight", sizes.repetitions, both(ours.latency_run, peer.latency_run)
        ),
        "qps": lambda: repeat("dispatch at 20 QPS", sizes.repetitions, lambda rep: ours.qps_run(ctx)),
        "backlog": lambda: repeat(
            "memory with READY rows", sizes.repetitions, both(ours.backlog_run, peer.backlog_run)
        ),
        "full_table": lambda: full_table(ctx, both(ours.full_table_run, peer.full_table_run)),
        "sealed": lambda: repeat(
            "sealed vs direct queue", sizes.repetitions, lambda rep: sealed.run(ctx, rep)
        ),
    }
    assert tuple(phases) == PHASES
    raw: dict[str, Any] = {"database": args.db, "sizes": sizes.__dict__, "database_version": version()}
    try:
        for phase in args.phases.split(","):
            raw[phase] = phases[phase]()
    finally:
        connections.close_all()
        database.drop(db_env)
    args.out.write_text(json.dumps(raw))


if __name__ == "__main__":
    main()
