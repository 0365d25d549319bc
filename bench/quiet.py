"""Waiting for a process to go quiet: a watched value (e.g. the API server's request counts) unchanged
for consecutive sampling windows and the process's CPU use in them below 10 % of a core on average (an
idle operator with 10k Jobs in flight uses ~5 %, one digesting watch events 50-100 %), with a deadline.
Measurements that need a settled state (writes per task once the trailing Events are in, RSS with N Jobs
in flight) wait for this instead of a fixed sleep or a fixed quiet period (a busy operator can make no
request for seconds while it digests watch events)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .procs import cpu_seconds


class Streak:
    """Consecutive sampling windows in which the watched value did not change, and the CPU use in them."""

    def __init__(self) -> None:
        self.cpu: list[float] = []  # % of a core, one per window of the current streak
        self._last: Any = object()

    def update(self, cpu_percent: float, value: Any) -> int:
        self.cpu = [*self.cpu, cpu_percent] if value == self._last else []
        self._last = value
        return len(self.cpu)

    def quiet(self, windows: int, below: float) -> int:
        """How long the streak is, if its last `windows` windows averaged below `below` % (else 0). An
        average: an idle operator's periodic work (a poll a second) shows as 0 % and 10 % windows."""
        recent = self.cpu[-windows:]
        return len(self.cpu) if len(recent) == windows and sum(recent) / windows < below else 0


@dataclass(frozen=True)
class Settled:
    seconds: float  # how long the wait took
    quiet: bool  # False: the deadline passed first
    until_met: bool  # whether `until` held at the end
    value: Any  # the last value read


def settled_enough(streak: int, until_met: bool, *, windows: int, patience: int) -> bool:
    """Quiet for `windows` windows with the condition met, or quiet for `patience` windows regardless
    (the condition may never come true, e.g. an operator that stopped posting Events)."""
    return (streak >= windows and until_met) or streak >= patience


def wait_quiet(
    pid: int,
    read: Callable[[], Any] = lambda: None,
    *,
    until: Callable[[Any], bool] = lambda _: True,
    below: float = 10.0,
    window: float = 0.5,
    windows: int = 2,
    patience: int = 20,
    timeout: float = 120.0,
) -> Settled:
    """Sample process `pid` every `window` seconds until it is settled (see settled_enough)."""
    started = time.monotonic()
    streak = Streak()
    streak.update(100.0, read())
    while True:
        cpu_before, t_before = cpu_seconds(pid), time.monotonic()
        time.sleep(window)  # a measurement window
        cpu = 100 * (cpu_seconds(pid) - cpu_before) / (time.monotonic() - t_before)
        value = read()
        met = until(value)
        streak.update(cpu, value)
        count = streak.quiet(windows, below)
        elapsed = time.monotonic() - started
        if settled_enough(count, met, windows=windows, patience=patience):
            return Settled(elapsed, True, met, value)
        if elapsed > timeout:
            return Settled(elapsed, False, met, value)
