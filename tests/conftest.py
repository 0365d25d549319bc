"""Shared fixtures: the database every process of a test shares."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["k8s_tasks.testing.pytest_plugin", "tests.e2e"]


@pytest.fixture
def subprocess_env(transactional_db: None) -> Iterator[dict[str, str]]:
    """Environment for a child process (a task pod, the operator) that uses this test's database."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    env["K8S_TASKS_DB_NAME"] = str(connection.settings_dict["NAME"])
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    yield env


@pytest.fixture
def python() -> str:
    return sys.executable


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only are skipped, with the reason, when the suite runs on SQLite."""
    if os.environ.get("K8S_TASKS_TEST_DB", "sqlite") == "postgres":
        return
    skip = pytest.mark.skip(reason="postgres_only: needs PostgreSQL (run with K8S_TASKS_TEST_DB=postgres)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)
