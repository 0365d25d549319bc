"""Pruning on a schedule (--prune-after / K8S_TASKS_PRUNE_AFTER): every --prune-seconds, finished rows of
the served backends that finished longer ago than the age are deleted, in batches of PRUNE_BATCH rows, each
its own transaction in a worker thread (k8s_tasks.pruning), at most PASS_BATCHES per pass with a pause
between two: dispatch and the task handlers go on meanwhile, and a large backlog is worked off over
several passes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

from django.db import close_old_connections

from k8s_tasks.durations import format_age
from k8s_tasks.pruning import PruneBatch, cutoff, prune_batches

from .runtime import Runtime, blocking, logger

PRUNE_BATCH = 1000
PASS_BATCHES = 100  # at most 100,000 rows per pass
PAUSE_SECONDS = 0.05  # between two batches: the database is shared with dispatch


def _next(batches: Iterator[PruneBatch]) -> PruneBatch | None:
    close_old_connections()  # a broken connection is replaced (the operator keeps them open)
    return next(batches, None)


async def prune_once(rt: Runtime, older_than: timedelta) -> int:
    """One pass over every served database; the rows deleted."""
    deleted = 0
    for using in rt.served.databases:
        backends = [alias for alias, database in rt.served.backends.items() if database == using]
        started = time.monotonic()
        before = await blocking(cutoff, using, older_than)
        batches = prune_batches(using, before, backends=backends, batch_size=PRUNE_BATCH)
        rows = 0
        for _ in range(PASS_BATCHES):
            batch = await blocking(_next, batches)
            if batch is None:
                break
            rows = batch.total
            await asyncio.sleep(PAUSE_SECONDS)
        deleted += rows
        (logger.info if rows else logger.debug)(
            "pruned %d finished tasks of database %s that finished before %s (older than %s) in %.2fs",
            rows,
            using,
            before.strftime("%Y-%m-%d %H:%M:%S"),
            format_age(older_than),
            time.monotonic() - started,
        )
    rt.pruned += deleted
    return deleted


async def prune_loop(rt: Runtime) -> None:
    """Every --prune-seconds, a pass (the first at start); never raises (a failed pass is logged)."""
    older_than = rt.config.prune_after
    if older_than is None:
        return
    logger.info(
        "pruning finished tasks older than %s every %gs", format_age(older_than), rt.config.prune_seconds
    )
    while True:
        try:
            await prune_once(rt, older_than)
        except Exception:
            logger.exception("pruning failed; again in %gs", rt.config.prune_seconds)
        await asyncio.sleep(rt.config.prune_seconds)
