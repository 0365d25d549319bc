"""The sealed runner as a real subprocess (K8S_TASKS_SEALED=1): it runs the payload it was handed, only if
that payload is its own pod's task and attempt, with no database, and reports the outcome."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from k8s_tasks.sealing import LOG_MARKER, TaskPayload, decode

RUN_TIMEOUT = 60


def payload(task_path: str, *args: Any, id: str = "t-1", attempt: int = 1) -> TaskPayload:
    return TaskPayload(
        id=id,
        attempt=attempt,
        task_path=task_path,
        queue_name="sandbox",
        backend="default",
        priority=0,
        args=list(args),
        kwargs={},
        enqueued_at="2026-12-05T08:00:00+00:00",
    )


def run_sealed(
    tmp_path: Path,
    handed: TaskPayload,
    *,
    own: tuple[str, str] = ("t-1", "1"),
    argv_id: str = "t-1",
    mounted: bool = True,
) -> tuple[subprocess.CompletedProcess[str], str]:
    path = tmp_path / "task.json"
    if mounted:
        path.write_bytes(handed.to_json())
    termination = tmp_path / "termination-log"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "K8S_TASKS_SEALED": "1",
        "K8S_TASKS_SEALED_PATH": str(path),
        "K8S_TASKS_TASK_ID": own[0],
        "K8S_TASKS_ATTEMPT": own[1],
        "K8S_TASKS_TERMINATION_LOG": str(termination),
        "POD_NAME": "task-t-1-1-abcde",
    }
    done = subprocess.run(
        [sys.executable, "-m", "k8s_tasks", "run", argv_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return done, termination.read_text() if termination.exists() else ""


def test_a_sealed_task_runs_from_its_payload_and_reports(tmp_path: Path) -> None:
    done, message = run_sealed(tmp_path, payload("tests.tasks.add", 2, 3))
    assert done.returncode == 0, done.stderr
    outcome = decode(message)
    assert (outcome.id, outcome.attempt, outcome.status, outcome.return_value) == ("t-1", 1, "SUCCESSFUL", 5)


def test_the_orm_in_a_sealed_task_fails_with_a_clear_error(tmp_path: Path) -> None:
    done, message = run_sealed(tmp_path, payload("tests.tasks.count_rows"))
    assert done.returncode == 1
    outcome = decode(message)
    assert outcome.status == "FAILED" and outcome.retryable
    assert outcome.exception_class_path == "k8s_tasks.exceptions.SealedDatabaseAccess"
    assert "runs sealed on queue 'sandbox'" in outcome.reason and "no database" in outcome.reason


def test_a_large_result_goes_to_the_log(tmp_path: Path) -> None:
    done, message = run_sealed(tmp_path, payload("tests.tasks.big_result", 50_000))
    assert done.returncode == 0
    assert json.loads(message)["in_log"] is True
    assert decode(message, done.stdout).return_value == "x" * 50_000
    assert done.stdout.splitlines()[-1].startswith(LOG_MARKER)


def test_a_pod_runs_only_its_own_task_and_attempt(tmp_path: Path) -> None:
    other_task = run_sealed(tmp_path, payload("tests.tasks.add", 1, 1), argv_id="victim")[0]
    assert other_task.returncode == 2 and "refused" in other_task.stderr
    other_payload = run_sealed(tmp_path, payload("tests.tasks.add", 1, 1, id="victim"))[0]
    assert other_payload.returncode == 2 and "refused" in other_payload.stderr
    other_attempt = run_sealed(tmp_path, payload("tests.tasks.add", 1, 1, attempt=2))[0]
    assert other_attempt.returncode == 2 and "refused" in other_attempt.stderr


def test_a_missing_payload_says_what_is_missing(tmp_path: Path) -> None:
    done, _ = run_sealed(tmp_path, payload("tests.tasks.add", 1, 1), mounted=False)
    assert done.returncode == 2 and "is the task Secret mounted?" in done.stderr
