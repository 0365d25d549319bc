"""What the level-triggered resync costs with N Jobs in flight: over a window of several resync periods
once the operator has settled after a dispatch, its CPU (utime + stime from /proc), the API requests it
makes (the cluster's counts, by verb), and the seconds of each resync pass (the "resync: ..." lines that
bench.resync_operator makes it log). `passes` and `window` are pure; `measure` samples a running stack."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from .counts import reads, since, writes
from .procs import Cluster, Operator, cpu_seconds

# The operator's line (k8s_tasks_operator/resync.py): "resync: 10000 unfinished rows, 0 queued for a look,
# 0 unfinished Jobs without a row holding them (0.123s)". Matched loosely between the numbers.
RESYNC_RE = re.compile(
    r"resync: (\d+) unfinished rows?, (\d+) queued\b.*?, (\d+) unfinished Jobs? without a row\b.*?"
    r"\((\d+(?:\.\d+)?)s\)"
)


@dataclass(frozen=True)
class Pass:
    rows: int
    queued: int
    jobs_without_row: int
    seconds: float


def passes(log_text: str) -> list[Pass]:
    """The resync passes in a piece of the operator's log (complete lines only)."""
    lines = log_text.splitlines(keepends=True)
    return [
        Pass(int(m[1]), int(m[2]), int(m[3]), float(m[4]))
        for line in lines
        if line.endswith("\n") and (m := RESYNC_RE.search(line))
    ]


def window(
    seconds: float, cpu: float, requests: dict[str, int], found: list[Pass], period: float
) -> dict[str, Any]:
    """One window's measurements: CPU % of a core over it, reads (GET/LIST/WATCH) and writes per minute,
    the seconds of each resync pass seen, and the rows each pass compared."""
    per_minute = 60.0 / seconds
    return {
        "window_seconds": seconds,
        "resync_period": period,
        "cpu_percent": 100.0 * cpu / seconds,
        "reads_per_minute": reads(requests) * per_minute,
        "writes_per_minute": writes(requests) * per_minute,
        "requests": requests,
        "pass_seconds": [p.seconds for p in found],
        "pass_rows": [p.rows for p in found],
        "queued": sum(p.queued + p.jobs_without_row for p in found),
    }


def measure(cluster: Cluster, operator: Operator, seconds: float, period: float) -> dict[str, Any]:
    """Measure the settled operator for `seconds` (a window, not a wait for a condition). SystemExit if
    no resync pass was logged in it: the operator would not be resyncing, or its line changed."""
    offset = operator.log_path.stat().st_size
    before, cpu_before, started = cluster.counts()["requests"], cpu_seconds(operator.pid), time.monotonic()
    time.sleep(seconds)  # the measurement window
    cpu, elapsed = cpu_seconds(operator.pid) - cpu_before, time.monotonic() - started
    requests = since(cluster.counts()["requests"], before)
    with operator.log_path.open("rb") as log:
        log.seek(offset)
        found = passes(log.read().decode(errors="replace"))
    if not found:
        raise SystemExit(
            f"benchmark: no 'resync: ...' line in the operator's log over {elapsed:.0f}s (resync every "
            f"{period:g}s; run by bench.resync_operator?):\n{operator.tail()}"
        )
    return window(elapsed, cpu, requests, found, period)
