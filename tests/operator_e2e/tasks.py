"""Task functions the operator tests enqueue; task pods import them by path."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from k8s_tasks.compat import task


@task()
def add(a: int, b: int) -> int:
    print(f"adding {a} and {b}")
    return a + b


@task()
async def async_add(a: int, b: int) -> int:
    await asyncio.sleep(0)
    return a + b


@task()
def hold(path: str, seconds: float = 30.0) -> str:
    """Appends a line to `path` when it starts, then runs for up to `seconds` (for concurrency sampling
    and cancellation)."""
    with Path(path).open("a") as f:
        f.write(f"{os.environ.get('POD_NAME', '')}\n")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return "held"


@task()
def record(path: str, label: str, seconds: float = 0.0) -> str:
    """Appends `label` to `path` (the order of lines is the order tasks ran), then takes `seconds`."""
    with Path(path).open("a") as f:
        f.write(label + "\n")
    time.sleep(seconds)
    return label


@task()
def boom() -> None:
    raise ValueError("boom")


@task()
def exit_hard(code: int) -> None:
    """Dies without writing a result, as a segfault or os._exit would."""
    os._exit(code)


@task()
def hog_memory(mebibytes: int) -> int:
    block = bytearray(mebibytes * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(5)
    return len(block)


@task()
def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task()
def flaky(marker: str) -> str:
    """Fails the first time it runs (creating `marker`), succeeds after."""
    path = Path(marker)
    if not path.exists():
        path.write_text("failed once")
        raise RuntimeError("first attempt fails")
    return "second time lucky"
