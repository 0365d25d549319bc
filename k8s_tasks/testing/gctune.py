"""Garbage-collector tuning for a process that runs nothing but the local cluster.

The store keeps every object version in its watch history, so the heap grows by thousands of container
objects a second under load, and CPython's cyclic collector traverses all of them again and again
(a full collection each time the old generation grows by a quarter): a third of the cluster's CPU at
hundreds of Jobs a second. Stored objects are plain JSON data that never form reference cycles, so once
a collection has found the cycles among the objects allocated so far, the survivors are frozen
(``gc.freeze``: left out of later collections, still freed by reference counting). Process-wide, so
only ``python -m k8s_tasks.testing cluster`` (a process of its own) does this, never a cluster in a
thread of a test process.
"""

import asyncio
import gc

FREEZE_SECONDS = 1.0


def collect_and_freeze() -> None:
    """Collect the cycles among the objects not frozen yet, then freeze the survivors."""
    gc.collect()
    gc.freeze()


async def freeze_periodically(seconds: float = FREEZE_SECONDS, *, first: float | None = None) -> None:
    """Every ``seconds`` (the first time after ``first`` seconds, default ``seconds``)."""
    await asyncio.sleep(seconds if first is None else first)
    while True:
        collect_and_freeze()
        await asyncio.sleep(seconds)
