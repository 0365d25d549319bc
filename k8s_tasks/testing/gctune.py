"""Garbage-collector tuning for a process that runs nothing but the local cluster.

The store keeps every object version in its watch history, so under load the heap grows by tens of
thousands of container objects a second, and CPython's cyclic collector traverses all of them again and
again (a full collection each time the old generation grows by a quarter): a third of the cluster's CPU
at hundreds of Jobs a second. Stored objects are plain JSON data that never form reference cycles, so
every second the young generations are collected (cheap: only what was allocated since the last
collection) and every survivor is frozen (``gc.freeze``: left out of later collections, still freed by
reference counting); automatic full collections become rare. Under the Job create benchmark the full
collections found no cyclic garbage at all. Process-wide, so only ``python -m k8s_tasks.testing
cluster`` (a process of its own) does this, never a cluster in a thread of a test process.
"""

import asyncio
import gc

FREEZE_SECONDS = 1.0
OLD_THRESHOLD = 1000  # young-generation collections between automatic full ones (CPython: 10)


def collect_and_freeze(generation: int = 1) -> None:
    """Collect the cycles among the young objects (``generation`` 2: among all not frozen yet), then
    freeze the survivors."""
    gc.collect(generation)
    gc.freeze()


async def freeze_periodically(seconds: float = FREEZE_SECONDS, *, first: float | None = None) -> None:
    """A full collection and freeze after ``first`` seconds (start-up's objects), then every ``seconds``
    a collection of the young generations and a freeze."""
    await asyncio.sleep(seconds if first is None else first)
    collect_and_freeze(2)
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, OLD_THRESHOLD)  # the freezes keep the old generation small
    while True:
        await asyncio.sleep(seconds)
        collect_and_freeze()
