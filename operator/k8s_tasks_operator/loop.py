"""The operator's main loop.

Start-up, in order: list the TaskQueues (no decision needing a profile before), wait for the first listing
of our Jobs, start the task handlers, resync (what changed while no operator ran). Then two loops side by
side: dispatch whenever woken (enqueue NOTIFY, a finished Job, a new queue) or every --poll-seconds, with
the periodic steps every --status-seconds; and the resync every --resync-seconds and after every new
listing of the Jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from . import kube
from .converge import reconcile_task
from .dispatch import dispatch_once
from .isolation import ensure_all
from .prune import prune_loop
from .reconcile import reconcile_once
from .resync import resync
from .runtime import Runtime, TaskKey, blocking, logger

START_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0)


async def load_queues(rt: Runtime) -> None:
    """List the TaskQueues once (retrying until the API answers), so every profile is known before the
    first decision; kopf's watch keeps them current from then on."""
    failures = 0
    while True:
        try:
            items = await blocking(kube.list_queues, rt.config.namespace)
            break
        except Exception as exc:
            delay = START_BACKOFF[min(failures, len(START_BACKOFF) - 1)]
            failures += 1
            logger.warning("listing the TaskQueues failed (%s); again in %.1fs", exc, delay)
            await asyncio.sleep(delay)
    for body in items:
        rt.queues.apply_listed(body)
    rt.queues_loaded.set()
    logger.info("loaded %d TaskQueue(s): %s", len(items), ", ".join(sorted(rt.queues.known_queue_names())))


def waiting_for_isolation(rt: Runtime) -> bool:
    return any(
        q.profile is not None and q.profile.network == "isolated" and q.queue_name not in rt.isolated_by
        for q in rt.queues.valid()
    )


async def handle(rt: Runtime, key: TaskKey) -> None:
    await reconcile_task(rt, key)


async def start(rt: Runtime) -> None:
    await load_queues(rt)
    await rt.jobs.synced.wait()  # which Jobs exist: the Job watch's first listing
    rt.start_work(lambda key: handle(rt, key)).start()
    await resync_once(rt)


async def resync_once(rt: Runtime) -> None:
    """The isolation of the queues, then every unfinished row against the Jobs; errors are logged (the
    next pass retries)."""
    rt.resync_wanted.clear()
    await ensure_all(rt)
    try:
        await resync(rt)
    except Exception:
        logger.exception("resync failed; will retry")


async def resync_loop(rt: Runtime) -> None:
    """The resync beside the dispatch loop (a pass over 10,000 rows takes about a second: dispatch goes
    on meanwhile): every --resync-seconds, at once when asked (a new listing of the Jobs, a TaskQueue
    change), and within 2 s while an isolated queue waits for its policy."""
    while True:
        period = rt.config.resync_seconds
        if waiting_for_isolation(rt):
            period = min(period, 2.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rt.resync_wanted.wait(), timeout=period)
        await resync_once(rt)


async def run(rt: Runtime) -> None:
    await start(rt)
    resyncing = asyncio.get_running_loop().create_task(resync_loop(rt), name="k8s-tasks-resync")
    pruning = asyncio.get_running_loop().create_task(prune_loop(rt), name="k8s-tasks-prune")
    try:
        await dispatch_loop(rt)
    finally:
        resyncing.cancel()
        pruning.cancel()


async def dispatch_loop(rt: Runtime) -> None:
    next_reconcile = 0.0
    while True:
        rt.wake.clear()
        launched = await dispatch_once(rt)
        if time.monotonic() >= next_reconcile:
            await reconcile_once(rt)
            next_reconcile = time.monotonic() + rt.config.status_seconds
        rt.passes += 1
        if launched:
            continue  # there may be more: keep going until the queues are drained or full
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rt.wake.wait(), timeout=rt.config.poll_seconds)
