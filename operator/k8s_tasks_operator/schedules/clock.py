"""The schedule clock: what time it is for deciding ticks. The database's clock, as every other time
decision of k8s-tasks (k8s_tasks.clock.database_now), so replicas on different machines agree.

For tests and demos only, K8S_TASKS_SCHEDULE_CLOCK changes it; everything else (rows, Jobs, the database's
own clock for claims) is unchanged:
- ``file:PATH``: a manual clock, the time written in the file (ISO 8601 with its offset, e.g.
  2026-11-28T02:30:00+00:00), read on every pass and moved forward by the test: ticks a minute apart
  come as fast as the test writes the file, without waiting real minutes;
- ``offset:SECONDS``: the database's clock plus SECONDS (``make demo --fast-schedules``: the first tick
  comes seconds after start instead of at the next whole minute).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from k8s_tasks.clock import database_now

ENV = "K8S_TASKS_SCHEDULE_CLOCK"
FILE_POLL_SECONDS = 0.1  # a manual clock is re-read this often (it does not tell when it moves)


@dataclass(frozen=True)
class ScheduleClock:
    path: Path | None = None
    offset_seconds: float = 0.0

    @property
    def manual(self) -> bool:
        return self.path is not None

    def now(self, using: str) -> datetime:
        if self.path is None:
            return database_now(using) + timedelta(seconds=self.offset_seconds)
        text = self.path.read_text().strip()
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"{ENV}: {self.path} holds {text!r}, a time without its UTC offset")
        return moment


def clock_from_env(environ: Mapping[str, str] | None = None) -> ScheduleClock:
    value = (os.environ if environ is None else environ).get(ENV, "")
    if not value:
        return ScheduleClock()
    if value.startswith("file:"):
        return ScheduleClock(Path(value.removeprefix("file:")))
    if value.startswith("offset:"):
        try:
            return ScheduleClock(offset_seconds=float(value.removeprefix("offset:")))
        except ValueError:
            pass
    raise ValueError(
        f"{ENV}={value!r}: leave it unset (the database's clock), or give file:PATH or offset:SECONDS "
        "(tests and demos only)"
    )
