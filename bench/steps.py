"""Where a benchmark's time goes: messages and timed steps on stderr, so a slow run shows its slow step."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Log `name` with the seconds it took (also when it fails)."""
    started = time.monotonic()
    try:
        yield
    finally:
        log(f"  {name}: {time.monotonic() - started:.1f}s")
