"""Raw measurements of bench.sealed -> result rows (issue 13): the sealed queue's dispatch rate, API writes
per task and enqueue-to-result latency, each with the direct queue's in the peer column (ratio = sealed /
direct). Pure functions (bench.report adds these rows to the others)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from .counts import is_write
from .sealed_stats import STEPS, per_task_writes, step_ms
from .stats import Result, column, percentile, result

WRITES_LIMIT = 2.0  # issue 13: "API writes per task (at most 2)" on the sealed queue
PEER_IS_DIRECT = "peer column: the direct queue (same profile but network), ratio = sealed / direct"
SHOWN_STEPS = {
    "sealed": (
        "to_job",
        "job_to_secret",
        "job_to_running",
        "running_to_job_finished",
        "job_finished_to_finished_at",
    ),
    # a direct pod writes its row, then exits: its Job finishes after finished_at
    "direct": ("to_job", "job_to_running", "running_to_finished_at"),
}


def sealed_results(raw: dict[str, Any]) -> list[Result]:
    db, reps, sizes = raw["database"], raw["sealed"], raw["sizes"]
    n = sizes["sealed_dispatch"]
    rate, seconds = sizes["sealed_latency"]
    paced = round(rate * seconds)
    out = [
        result(
            "sealed_dispatch_rate",
            "tasks/s",
            column(reps, "dispatch", "sealed", "rate"),
            column(reps, "dispatch", "direct", "rate"),
            database=db,
            size=f"{n} READY tasks -> Jobs (and the sealed queue's Secrets), each queue on a fresh stack",
            note=f"{PEER_IS_DIRECT}; fake runtime: pods do not run; from the commit of the rows to the last "
            "Secret's ADDED event (sealed: a task is dispatched once its Secret exists, its pod waits for "
            "it) or the last Job's (direct); sealed to its last Job: "
            + _listed(column(reps, "dispatch", "sealed", "jobs_rate"), "/s")
            + f"; sealed pods that found no Secret at first (FailedMount): {_mounts(reps, 'dispatch', n)}",
        ),
        result(
            "sealed_api_writes_per_task",
            "writes/task",
            [per_task_writes(r["dispatch"]["sealed"]["requests"], n) for r in reps],
            [per_task_writes(r["dispatch"]["direct"]["requests"], n) for r in reps],
            database=db,
            size=f"{n} tasks dispatched on each queue",
            target=f"<= {WRITES_LIMIT:g}",
            check=lambda sealed, _: sealed <= WRITES_LIMIT,
            note=f"{PEER_IS_DIRECT}; the writes made for each task (Job POSTs and, sealed, Secret POSTs) per "
            "task, the issue's 'API writes per task'; what is written per batch or per status interval, not "
            "per task, is in sealed_api_writes_per_task_all",
        ),
        result(
            "sealed_api_writes_per_task_all",
            "writes/task",
            column(reps, "dispatch", "sealed", "writes_per_task"),
            column(reps, "dispatch", "direct", "writes_per_task"),
            database=db,
            size=f"{n} tasks dispatched on each queue",
            note=f"{PEER_IS_DIRECT}; every POST/PUT/PATCH/DELETE the API server saw until the operator "
            "settled (as api_writes_per_task), the per-batch Dispatched Event and the TaskQueue status "
            "PATCHes included; first repetition, sealed: "
            + _writes(reps[0]["dispatch"]["sealed"]["requests"])
            + "; direct: "
            + _writes(reps[0]["dispatch"]["direct"]["requests"])
            + _unsettled(reps),
        ),
    ]
    for q in (50, 95):
        out.append(
            result(
                f"sealed_enqueue_to_result_p{q}",
                "ms",
                [percentile(step_ms(r["latency"]["sealed"]["tasks"], "total"), q) for r in reps],
                [percentile(step_ms(r["latency"]["direct"]["tasks"], "total"), q) for r in reps],
                database=db,
                size=f"{paced} tasks per queue at {rate:g}/s, real task processes, an idle operator",
                note=f"{PEER_IS_DIRECT}; enqueue() call -> the row's finished_at (process runtime: each pod "
                "is python -m k8s_tasks run, importing Django); the steps (bench.sealed_stats.STEPS), median "
                "of every repetition's tasks, in ms: "
                + _steps(reps)
                + "; sealed pods that found no Secret at first (FailedMount): "
                + _mounts(reps, "latency", paced)
                + ("" if db == "postgres" else "; SQLite has no LISTEN/NOTIFY: the operator polls every 1 s"),
            )
        )
    out.append(
        result(
            f"sealed_api_writes_per_task_at_{rate:g}_per_s",
            "writes/task",
            column(reps, "latency", "sealed", "writes_per_task"),
            column(reps, "latency", "direct", "writes_per_task"),
            database=db,
            size=f"{paced} tasks per queue at {rate:g}/s, enqueue until settled after the last outcome",
            note=f"{PEER_IS_DIRECT}; the whole life of paced tasks: at this rate a claimed batch holds "
            "one task or a few, and each batch gets its Dispatched Event; first repetition, sealed: "
            + _writes(reps[0]["latency"]["sealed"]["requests"])
            + "; direct: "
            + _writes(reps[0]["latency"]["direct"]["requests"]),
        )
    )
    return out


def step_medians(reps: Sequence[Mapping[str, Any]], queue: str) -> dict[str, float]:
    """Each step's median (ms) over every repetition's tasks on `queue` (steps with no samples left out)."""
    tasks = [t for r in reps for t in r["latency"][queue]["tasks"]]
    found = {step: step_ms(tasks, step) for step in STEPS}
    return {step: statistics.median(ms) for step, ms in found.items() if ms}


def _steps(reps: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for queue, steps in SHOWN_STEPS.items():
        medians = step_medians(reps, queue)
        parts.append(f"{queue}: " + ", ".join(f"{s} {medians[s]:.0f}" for s in steps if s in medians))
    return "; ".join(parts)


def _mounts(reps: Sequence[Mapping[str, Any]], part: str, of: int) -> str:
    return ", ".join(f"{r[part]['sealed']['failed_mount']}/{of}" for r in reps)


def _listed(values: Sequence[float], unit: str) -> str:
    return ", ".join(f"{v:.4g}{unit}" for v in values)


def _writes(requests: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(requests.items()) if is_write(k)) or "none"


def _unsettled(reps: Sequence[Mapping[str, Any]]) -> str:
    late = sum(
        not r["dispatch"][q]["settled"] or not r["dispatch"][q]["events_caught_up"]
        for r in reps
        for q in ("sealed", "direct")
    )
    return f"; in {late} dispatch(es) the operator did not settle with every Event in" if late else ""
