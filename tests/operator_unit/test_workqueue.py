"""The work queue: one handler per key at a time, a key re-queued while running runs again, failures are
retried with backoff, never dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from k8s_tasks_operator.workqueue import WorkQueue


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll `condition` on the loop (the handlers run on it too) for at most `seconds`."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the condition is plain state, there is no event for it
            await asyncio.sleep(0.01)


async def test_a_key_is_never_handled_twice_at_once_and_news_during_a_run_runs_it_again() -> None:
    running: set[str] = set()
    overlaps: list[str] = []
    runs: list[str] = []
    gate = asyncio.Event()

    async def handler(key: str) -> None:
        if key in running:
            overlaps.append(key)
        running.add(key)
        runs.append(key)
        await gate.wait()
        running.discard(key)

    queue = WorkQueue(handler, workers=4)
    queue.start()
    queue.add("a")
    queue.add("a")  # queued once
    await until(lambda: runs == ["a"])
    queue.add("a")  # while running: once more after
    queue.add("a")
    gate.set()
    await until(lambda: runs == ["a", "a"] and not running)
    await asyncio.sleep(0.05)
    assert runs == ["a", "a"] and overlaps == []
    queue.stop()


async def test_a_failing_key_is_retried_with_backoff_until_it_succeeds() -> None:
    attempts: list[float] = []

    async def handler(key: str) -> None:
        attempts.append(asyncio.get_running_loop().time())
        if len(attempts) < 3:
            raise ConnectionError("database down")

    queue = WorkQueue(handler, workers=1, backoff=(0.05, 0.1))
    queue.start()
    queue.add("k")
    await until(lambda: queue.handled == 1)
    assert len(attempts) == 3 and queue.retried == 2 and queue.failures("k") == 0
    assert attempts[2] - attempts[1] >= 0.1 - 0.01 and attempts[1] - attempts[0] >= 0.05 - 0.01
    queue.stop()


async def test_later_adds_wait_and_an_immediate_add_overrides_them() -> None:
    runs: list[str] = []

    async def handler(key: str) -> None:
        runs.append(key)

    queue = WorkQueue(handler, workers=2)
    queue.start()
    queue.add("late", after=30)
    queue.add("soon", after=0.05)
    await until(lambda: runs == ["soon"])
    queue.add("late")
    await until(lambda: sorted(runs) == ["late", "soon"])
    queue.stop()
