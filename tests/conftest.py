"""Shared fixtures: the database every process of a test shares."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


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
