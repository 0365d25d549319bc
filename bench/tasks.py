"""The benchmark's tasks: the same no-op for both backends; the peer's also returns when it ended."""

import time

from django.tasks import task


@task()
def noop(n: int = 0) -> int:
    return n


@task(backend="peer")
def peer_noop(n: int = 0) -> int:
    return n


@task(backend="peer")
def peer_stamp() -> float:
    """Returns the wall-clock time at which the function ended: finished_at - this = the write-back."""
    return time.time()
