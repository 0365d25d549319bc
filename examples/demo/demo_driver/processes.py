"""The demo's child processes (local cluster, operator) and the real kubectl: start, wait, stop."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class DemoError(Exception):
    """The demo cannot go on; the message says what failed and where its log is."""


@dataclass
class Service:
    """A long-running child process in its own process group (so its task pods stop with it)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def died_message(self) -> str:
        return (
            f"the {self.name} exited with code {self.process.returncode}; the end of {self.log}:\n"
            + self.tail()
        )


def start(name: str, argv: list[str], env: dict[str, str], log: Path) -> Service:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Service(name, process, log)


def stop(service: Service, grace_seconds: float = 5.0) -> None:
    """SIGTERM the service's process group, then SIGKILL whatever is left after the grace period."""
    pgid = service.process.pid  # start_new_session: the child leads its own group
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        try:
            service.process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            continue
        # The leader exited; make sure no pod it started outlives it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        break
    if service.process.poll() is None:
        service.process.wait(timeout=grace_seconds)


def wait_until(
    condition: Callable[[], bool],
    *,
    what: str,
    deadline: float,
    services: list[Service],
    interval: float = 0.1,
) -> None:
    """Poll `condition` until it holds; DemoError if the deadline passes or a service dies first."""
    while True:
        if condition():
            return
        for service in services:
            if not service.alive():
                raise DemoError(f"while waiting for {what}, {service.died_message()}")
        if time.monotonic() > deadline:
            raise DemoError(f"timed out waiting for {what}")
        time.sleep(interval)


def run(argv: list[str], env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def run_checked(argv: list[str], env: dict[str, str], timeout: float = 60.0) -> str:
    result = run(argv, env, timeout)
    if result.returncode != 0:
        raise DemoError(
            f"`{' '.join(argv)}` exited {result.returncode}:\n{result.stderr.strip() or result.stdout}"
        )
    return result.stdout
