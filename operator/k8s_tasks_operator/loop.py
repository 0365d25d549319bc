"""The operator's main loop: dispatch whenever woken (enqueue NOTIFY, a finished Job, a new queue) or
every poll interval, and reconcile every status interval."""

from __future__ import annotations

import asyncio
import contextlib
import time

from .dispatch import adopt_claimed_for, dispatch_once
from .reconcile import reconcile_once
from .runtime import Runtime, logger


async def run(rt: Runtime) -> None:
    await rt.jobs_listed.wait()  # which of our Jobs are active: the Job watch's first listing
    adopted: set[str] = set()
    next_reconcile = 0.0
    while True:
        rt.wake.clear()
        for state in rt.queues.valid():
            if state.queue_name not in adopted:
                adopted.add(state.queue_name)
                try:
                    await adopt_claimed_for(rt, state)
                except Exception:
                    adopted.discard(state.queue_name)
                    logger.exception(
                        "adopting claimed tasks of queue %s failed; will retry", state.queue_name
                    )
        launched = await dispatch_once(rt)
        if time.monotonic() >= next_reconcile:
            await reconcile_once(rt)
            next_reconcile = time.monotonic() + rt.config.status_seconds
        if launched:
            continue  # there may be more: keep going until the queues are drained or full
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rt.wake.wait(), timeout=rt.config.poll_seconds)
