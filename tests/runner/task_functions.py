"""Task functions for the runner's payload, database-fault and signal tests (imported by task pods too).

Importing this module connects a task_finished receiver that appends ``<id> <status>`` to the file named
by K8S_TASKS_TEST_SIGNALS, so a test can count the signals a runner subprocess sent.
"""

import os
import time
from pathlib import Path
from typing import Any

from k8s_tasks.compat import TaskResult, task, task_finished

SIGNALS_ENV = "K8S_TASKS_TEST_SIGNALS"


def _log_finished(sender: type, task_result: TaskResult, **kwargs: Any) -> None:
    path = os.environ.get(SIGNALS_ENV)
    if path:
        with open(path, "a") as handle:
            handle.write(f"{task_result.id} {task_result.status}\n")


task_finished.connect(_log_finished, dispatch_uid="tests.runner.task_functions")


def _ran(side_effect: str) -> None:
    with open(side_effect, "a") as handle:
        handle.write("ran\n")


@task()
def returns(side_effect: str, kind: str) -> Any:
    """Count the call in ``side_effect``, then return a value of the given ``kind``."""
    _ran(side_effect)
    if kind == "nul":
        return {"text": "before\x00after"}
    if kind == "surrogate":
        return ["ok", "\ud800"]
    if kind == "big":
        return "x" * (1024 * 1024)
    if kind == "deep":
        value: list[Any] = []
        for _ in range(5000):
            value = [value]
        return value
    return kind


@task()
def fails(side_effect: str, message: str) -> None:
    _ran(side_effect)
    raise ValueError(message)


@task()
def wait_for_release(side_effect: str, marker: str, release: str, value: str) -> str:
    """Write ``marker``, wait (at most 60 s) until the file ``release`` exists, count the call, return."""
    Path(marker).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while not Path(release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{release} did not appear")
        time.sleep(0.02)
    _ran(side_effect)
    return value
