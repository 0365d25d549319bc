"""The demo project itself: Django's checks pass, and each example's tasks run through the real pod
entrypoint (`python -m k8s_tasks run <id>`) on this run's database, without a cluster."""

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEMO, EXAMPLE_NAMES, EXAMPLES

HERE = Path(__file__).resolve().parent


def test_django_checks_pass(demo_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO / "manage.py"), "check", "--fail-level", "WARNING"],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_example_has_a_readme_and_a_task_module(name: str) -> None:
    """One module defines the example's tasks; helpers beside it (03's model, 04's ffmpeg and MP4 reading)
    define none. The README names every module."""
    folder = EXAMPLES / name
    modules = sorted(folder.glob("*.py"))
    with_tasks = [p for p in modules if "@task(" in p.read_text()]
    assert len(with_tasks) == 1, f"{folder}: expected one task module, found {with_tasks}"
    readme = (folder / "README.md").read_text()
    assert [p.name for p in modules if p.stem not in readme] == []
    assert "kubectl" in readme


def test_example_tasks_run_with_the_pod_entrypoint(demo_env: dict[str, str]) -> None:
    """Examples 01-05 and 07's report by hand without a cluster (06 needs the operator for retries, deadlines
    and cancellation; 07's TaskSchedule the operator too)."""
    names = [n for n in EXAMPLE_NAMES if not n.startswith("06")]
    result = subprocess.run(
        [sys.executable, str(HERE / "direct_run.py"), demo_env["K8S_DEMO_WORKDIR"], *names],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        result.stdout.count(": exit 0") == 11
    )  # 2 hello, 3 mails, 1 digits, 2 transcodes, 2 scans, 1 report
