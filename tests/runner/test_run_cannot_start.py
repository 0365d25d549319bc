"""A task pod that cannot import the settings, or an app they name, or the task's own module: the reason
names the missing module and how a pod finds your code (the issue's pods said only ``Last log lines: ^``).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from k8s_tasks.models import TaskRecord
from k8s_tasks.podstart import setup_failure
from k8s_tasks_operator.classify import classify_job
from tests.classify.objects import BACKOFF, job, pod, terminated

from .support import run_runner


def run_in_pod_dir(tmp_path: Path, settings: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m k8s_tasks run` as a pod runs it: in a directory of its own, without the project."""
    pod_dir = tmp_path / "pod"
    pod_dir.mkdir()
    return subprocess.run(
        [sys.executable, "-m", "k8s_tasks", "run", "t-1"],
        cwd=pod_dir,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": settings,
            "K8S_TASKS_TERMINATION_LOG": str(tmp_path / "termination-log"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_not_importable(tmp_path: Path) -> None:
    done = run_in_pod_dir(tmp_path, "mysite.settings")
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "k8s-tasks: task t-1: cannot import the settings DJANGO_SETTINGS_MODULE=mysite.settings: "
        "No module named 'mysite'. The task pod imports your code from its working directory and PYTHONPATH"
    )
    assert f"This pod: working directory {tmp_path / 'pod'}, PYTHONPATH (unset)." in last
    assert "Traceback (most recent call last)" in done.stderr  # the traceback comes first
    summary = json.loads((tmp_path / "termination-log").read_text())
    assert summary["status"] == "NOT_STARTED" and summary["reason"] == last.split(": ", 2)[2]


def test_an_app_of_the_settings_not_importable(tmp_path: Path) -> None:
    settings = tmp_path / "broken_settings.py"
    settings.write_text("INSTALLED_APPS = ['videos']\nSECRET_KEY = 'x'\n")
    done = run_in_pod_dir(tmp_path, "broken_settings", PYTHONPATH=str(tmp_path))
    assert done.returncode == 2
    assert (
        "cannot start Django with DJANGO_SETTINGS_MODULE=broken_settings: No module named 'videos' "
        "(imported by the settings or an app of INSTALLED_APPS)."
    ) in done.stderr
    assert f"PYTHONPATH {tmp_path}." in done.stderr


def test_other_setup_errors_are_named() -> None:
    reason = setup_failure(ValueError("bad\nvalue"), {"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    assert reason == "cannot start Django with DJANGO_SETTINGS_MODULE=mysite.settings: ValueError: bad value"


def test_the_operator_puts_the_runners_reason_first() -> None:
    reason = setup_failure(
        ModuleNotFoundError("No module named 'mysite'", name="mysite"),
        {"DJANGO_SETTINGS_MODULE": "mysite.settings"},
    )
    message = json.dumps({"id": "t-1", "status": "NOT_STARTED", "reason": reason})
    traceback = "Traceback (most recent call last):\n  ...\n    ^^^^^^^^^^^^^^^^^^^^^^\n"
    failed = pod(state=terminated(2, message=message))
    found = classify_job(job(BACKOFF), [failed], None, log_tail=traceback + "k8s-tasks: task t-1: ...")
    assert found is not None and found.kind == "PodFailed"
    assert found.message.startswith(
        "Exited with code 2 and wrote no result: cannot import the settings "
        "DJANGO_SETTINGS_MODULE=mysite.settings: No module named 'mysite'. The task pod imports your code"
    )
    assert found.message.endswith("Last log lines:\n" + traceback.strip() + "\nk8s-tasks: task t-1: ...")


@pytest.mark.django_db(transaction=True)
def test_the_tasks_module_not_importable(pod_env: dict[str, str]) -> None:
    record = TaskRecord.objects.create(
        task_path="videos.tasks.transcode", queue_name="default", backend_name="default"
    )
    done = run_runner(pod_env, str(record.pk))
    assert done.returncode == 1
    record.refresh_from_db()
    assert record.status == "FAILED"
    assert record.reason.startswith(
        "cannot load task videos.tasks.transcode: ModuleNotFoundError: No module named 'videos'. "
        "The task pod imports your code from its working directory and PYTHONPATH"
    )
