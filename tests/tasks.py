"""Task functions used by the tests; module level so task pods (subprocesses) can import them."""

import asyncio
import contextlib
import os
import time
from pathlib import Path
from typing import Any

from k8s_tasks.compat import TaskContext, task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def echo(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return {"args": args, "kwargs": kwargs}


@task()
def returns_tuple() -> tuple[Any, ...]:
    return (1, "two", (3, 4))


@task()
def returns_object() -> object:
    return object()


@task()
def fail(message: str) -> None:
    raise ValueError(message)


@task()
async def async_add(a: int, b: int) -> int:
    await asyncio.sleep(0)
    return a + b


@task(takes_context=True)
def with_context(context: TaskContext, x: int) -> dict[str, Any]:
    return {"x": x, "id": context.task_result.id, "attempt": context.attempt}


@task(takes_context=True)
async def async_with_context(context: TaskContext) -> str:
    return context.task_result.id


@task()
def append_line(path: str, line: str, hold_seconds: float = 0.0) -> str:
    """Append a line to a file (a side effect the test can count), then hold the task open a while."""
    with open(path, "a") as handle:
        handle.write(line + "\n")
    time.sleep(hold_seconds)
    return line


@task()
def block(marker: str, seconds: float = 60.0) -> None:
    """Write a marker file (so a test knows it is running), then block until killed or timed out."""
    Path(marker).write_text(str(os.getpid()))
    time.sleep(seconds)


@task()
def swallow_everything(marker: str) -> str:
    """A badly behaved task that catches Exception: SIGTERM must still end it."""
    Path(marker).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            time.sleep(0.05)
    return "survived"


@task(queue_name="gpu", priority=10)
def on_gpu() -> str:
    return "gpu"


@task()
def count_rows() -> int:
    """Reads the database (what a sealed task must not be able to do)."""
    from k8s_tasks.models import TaskRecord

    return TaskRecord.objects.count()


@task()
def big_result(size: int) -> str:
    return "x" * size
