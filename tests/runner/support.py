"""Starting the runner as a real subprocess, and waiting with a deadline."""

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RUN_TIMEOUT = 60


def runner_command(result_id: str) -> list[str]:
    return [sys.executable, "-m", "k8s_tasks", "run", result_id]


def run_runner(env: dict[str, str], result_id: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        runner_command(result_id),
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def start_runner(env: dict[str, str], result_id: str, **extra_env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        runner_command(result_id),
        env={**env, **extra_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)
    return value


def read_summary(path: Path) -> dict[str, Any]:
    lines = path.read_text().splitlines()
    assert len(lines) == 1, lines
    summary: dict[str, Any] = json.loads(lines[0])
    return summary
