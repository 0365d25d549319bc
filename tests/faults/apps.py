"""A test-only app: with K8S_TASKS_SIGNAL_LEDGER set, every process (task pods, the operator, the test)
appends one line per task_finished it sends to that file, so a test can count them across processes."""

from __future__ import annotations

import os
from typing import Any

from django.apps import AppConfig


def record_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    path = os.environ.get("K8S_TASKS_SIGNAL_LEDGER")
    if path:
        with open(path, "a") as ledger:  # one short line per write: appends do not interleave
            ledger.write(f"{task_result.id} {task_result.status} {os.getpid()}\n")


class FaultsConfig(AppConfig):
    name = "tests.faults"
    label = "faults"

    def ready(self) -> None:
        from k8s_tasks.compat import task_finished

        task_finished.connect(record_finished, dispatch_uid="k8s-tasks-tests-signal-ledger")
