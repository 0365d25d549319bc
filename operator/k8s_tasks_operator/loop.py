"""The operator's main loop: dispatch whenever woken (enqueue NOTIFY, a finished Job, a new queue) or
every poll interval, and reconcile every status interval."""

from __future__ import annotations

import asyncio
import contextlib
import time

from . import kube
from .classify import job_finished
from .dispatch import adopt_claimed_for, dispatch_once
from .reconcile import reconcile_once
from .runtime import Runtime, blocking, logger


async def seed_active_jobs(rt: Runtime) -> None:
    """Before the first dispatch: which of our Jobs are still active (the watch keeps this up to date)."""
    while True:
        try:
            jobs = await blocking(kube.managed_jobs, rt.config.namespace)
            break
        except Exception:
            logger.exception("could not list Jobs; retrying")
            await asyncio.sleep(1.0)
    for job in jobs:
        rt.track_job(job, active=not job_finished(job))


async def run(rt: Runtime) -> None:
    await seed_active_jobs(rt)
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
