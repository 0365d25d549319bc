"""Tasks that say something before they end, each their own way, for the log tail tests; task pods import
them by path."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from k8s_tasks.compat import task


def say(text: str) -> None:
    print(text, flush=True)


@task()
def say_then_hog(mebibytes: int) -> int:
    say(f"allocating {mebibytes} MiB")
    block = bytearray(mebibytes * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(5)
    return len(block)


@task()
def say_then_exit(code: int) -> None:
    say(f"about to exit with {code}")
    print("some detail on stderr", file=sys.stderr, flush=True)
    os._exit(code)


@task()
def say_then_hold(path: str, seconds: float = 60.0) -> str:
    """Says it works, creates `path`, then runs until cancelled (or `seconds` pass)."""
    say("working on it")
    Path(path).write_text("started")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return "held"


@task()
def say_then_return(size: int) -> str:
    """Says so, then returns `size` characters (over 4 KiB, a sealed pod reports it through its log)."""
    say(f"making a result of {size} characters")
    return "r" * size


@task()
def say_lines(count: int, pause: float) -> int:
    """`count` numbered lines, `pause` seconds apart (for following a log)."""
    for number in range(count):
        say(f"line {number}")
        time.sleep(pause)
    return count


@task()
def say_then_sleep(seconds: float) -> None:
    say(f"sleeping {seconds} s")
    time.sleep(seconds)


@task()
def say_attempt_then_fail_once(marker: str) -> str:
    """Says which attempt it is; the first one fails (creating `marker`), the next succeeds."""
    path = Path(marker)
    if not path.exists():
        say("first attempt, failing")
        path.write_text("failed once")
        raise RuntimeError("first attempt fails")
    say("second attempt, succeeding")
    return "ok"
