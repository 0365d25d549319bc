"""The operator's command line and configuration."""

from __future__ import annotations

import subprocess
import sys

from k8s_tasks_operator.config import parse_args
from k8s_tasks_operator.crd import CRD_PATH, SCHEDULE_CRD_PATH


def test_crd_command_prints_the_shipped_crd() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "k8s_tasks_operator", "crd"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout == CRD_PATH.read_text() + "---\n" + SCHEDULE_CRD_PATH.read_text()  # both CRDs


def test_flags_win_over_environment() -> None:
    env = {
        "K8S_TASKS_NAMESPACE": "tasks",
        "K8S_TASKS_POLL_SECONDS": "3",
        "K8S_TASKS_POD_ENV": "A,MISSING",
        "A": "1",
    }
    config = parse_args(["--namespace", "other"], env)
    assert config.namespace == "other"
    assert config.poll_seconds == 3.0
    assert config.extra_env == (("A", "1"),)


def test_missing_settings_module_is_a_clear_error() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "k8s_tasks_operator"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2
    assert "DJANGO_SETTINGS_MODULE" in done.stderr
