"""Pure functions of the runner: environment parsing, retry decision, termination message."""

import json
import socket
from datetime import timedelta

import pytest

from k8s_tasks.models import TaskRecord
from k8s_tasks.runner import (
    MAX_TERMINATION_MESSAGE,
    RunnerEnv,
    UsageError,
    short_reason,
    should_retry,
    termination_message,
)


def test_env_defaults_use_the_hostname_and_the_kubernetes_termination_path() -> None:
    env = RunnerEnv.from_environ({})
    assert env == RunnerEnv(
        attempt=None,
        worker_id=socket.gethostname(),
        termination_log="/dev/termination-log",
        max_attempts=1,
        retry_delay=timedelta(0),
    )


def test_env_from_the_job() -> None:
    env = RunnerEnv.from_environ(
        {
            "POD_NAME": "p",
            "K8S_TASKS_ATTEMPT": "3",
            "K8S_TASKS_MAX_ATTEMPTS": "5",
            "K8S_TASKS_RETRY_DELAY_SECONDS": "40",
            "K8S_TASKS_TERMINATION_LOG": "/tmp/t",
        }
    )
    assert (env.worker_id, env.attempt, env.max_attempts, env.retry_delay) == (
        "p",
        3,
        5,
        timedelta(seconds=40),
    )
    assert env.termination_log == "/tmp/t"
    assert env.db_retry_seconds == 60
    assert RunnerEnv.from_environ({"K8S_TASKS_DB_RETRY_SECONDS": "5"}).db_retry_seconds == 5


@pytest.mark.parametrize(("name", "value"), [("K8S_TASKS_ATTEMPT", "0"), ("K8S_TASKS_MAX_ATTEMPTS", "x")])
def test_bad_env_names_the_variable_and_the_fix(name: str, value: str) -> None:
    with pytest.raises(UsageError, match=f"env {name}='{value}' is invalid; set it to a whole number >= 1"):
        RunnerEnv.from_environ({name: value})


def test_infrastructure_reruns_do_not_spend_the_tasks_own_attempts() -> None:
    record = TaskRecord(attempt=3, infra_retries=2)
    assert should_retry(record, 3, max_attempts=2)  # attempts 1-2 were infrastructure re-runs
    assert not should_retry(TaskRecord(attempt=2, infra_retries=0), 2, max_attempts=2)
    assert not should_retry(TaskRecord(attempt=1, infra_retries=0), 1, max_attempts=1)


def test_termination_message_is_one_line_within_the_kubernetes_limit() -> None:
    line = termination_message({"id": "x", "status": "FAILED", "reason": "é" * 10_000})
    assert "\n" not in line and len(line.encode()) <= MAX_TERMINATION_MESSAGE
    data = json.loads(line)
    assert data["id"] == "x" and data["reason"].endswith("...")


def test_short_reason_is_the_first_line_bounded() -> None:
    assert short_reason(ValueError("bad\nmore")) == "ValueError: bad"
    assert len(short_reason(ValueError("x" * 2000))) == 500
