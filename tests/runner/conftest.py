from pathlib import Path

import pytest


@pytest.fixture
def pod_env(subprocess_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A task pod's environment: the live test database, a pod name and a writable termination log."""
    return {
        **subprocess_env,
        "POD_NAME": "task-pod-1",
        "K8S_TASKS_TERMINATION_LOG": str(tmp_path / "termination-log"),
    }


@pytest.fixture
def termination_log(pod_env: dict[str, str]) -> Path:
    return Path(pod_env["K8S_TASKS_TERMINATION_LOG"])
