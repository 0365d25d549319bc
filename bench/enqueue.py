"""Scenario 1, enqueue throughput, in this process: sequential enqueues, enqueues inside one
transaction.atomic(), and (ours only) enqueue_many; both backends, the same task, the same database. Each
repetition also measures the ceiling of the sequential enqueue: bare single-row INSERTs (bench.ceilings)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.tasks import Task

from k8s_tasks.bulk import enqueue_many

from . import ceilings, rows
from .tasks import noop, peer_noop


def _timed(work: Callable[[], Any], count: int) -> float:
    rows.clear()
    start = time.perf_counter()
    work()
    return count / (time.perf_counter() - start)


def sequential(task: Task, count: int) -> float:
    """Enqueues per second, each in its own transaction (autocommit)."""
    return _timed(lambda: [task.enqueue(i) for i in range(count)], count)


def atomic(task: Task, count: int) -> float:
    """Enqueues per second, all inside one transaction.atomic()."""

    def work() -> None:
        with transaction.atomic():
            for i in range(count):
                task.enqueue(i)

    return _timed(work, count)


def bulk(count: int) -> float:
    """Tasks per second through enqueue_many (one INSERT)."""
    return _timed(lambda: enqueue_many(noop, [((i,), {}) for i in range(count)]), count)


def repetition(ours_first: bool, sequential_count: int, atomic_count: int) -> dict[str, float]:
    """One repetition of every variant, ours and the peer's interleaved (order flips per repetition)."""
    sides = [("ours", noop), ("peer", peer_noop)]
    if not ours_first:
        sides.reverse()
    out: dict[str, float] = {}
    for name, task in sides:
        out[f"{name}_sequential"] = sequential(task, sequential_count)
    out["bare_insert"] = ceilings.bare_inserts(sequential_count)  # the ceiling, right after
    for name, task in sides:
        out[f"{name}_atomic"] = atomic(task, atomic_count)
    out["ours_bulk"] = bulk(sequential_count)
    rows.clear()
    return out
