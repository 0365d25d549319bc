"""`python -m k8s_tasks status` as a real subprocess."""

import subprocess
import sys

from k8s_tasks.models import TaskRecord
from tests import tasks


def test_status_lists_queues_and_recent_tasks_with_reasons(subprocess_env: dict[str, str]) -> None:
    failed = TaskRecord.objects.get(pk=tasks.fail.enqueue("x").id)
    failed.set_failed(
        "k8s_tasks.exceptions.PodOOMKilled", "", "OOMKilled: memory limit 256Mi exceeded", attempt=1
    )
    waiting = tasks.on_gpu.enqueue()
    TaskRecord.objects.get(pk=waiting.id).set_pending_reason("0/3 nodes have a free GPU", attempt=1)
    done = subprocess.run(
        [sys.executable, "-m", "k8s_tasks", "status", "-n", "5"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["QUEUE", "READY", "RUNNING", "SUCCEEDED", "FAILED"]
    assert lines[1].split() == ["default", "0", "0", "0", "1"] and lines[2].split() == [
        "gpu",
        "1",
        "0",
        "0",
        "0",
    ]
    assert "the 2 most recent tasks:" in done.stdout
    [gpu_line] = [line for line in lines if line.startswith(waiting.id)]
    assert (
        "tests.tasks.on_gpu" in gpu_line and "READY" in gpu_line and "0/3 nodes have a free GPU" in gpu_line
    )
    assert "OOMKilled: memory limit 256Mi exceeded" in done.stdout


def test_status_management_command(subprocess_env: dict[str, str]) -> None:
    tasks.add.enqueue(1, 2)
    done = subprocess.run(
        [sys.executable, "-m", "django", "k8s_tasks_status"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "tests.tasks.add" in done.stdout, done.stderr
