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


DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "demo_db"}
)
"""Fixtures through which a test reaches the database of the run's kind (K8S_TASKS_TEST_DB)."""


def uses_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return bool(item.get_closest_marker("django_db")) or not DATABASE_FIXTURES.isdisjoint(names)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite, tests marked postgres_only are skipped, with the reason. On PostgreSQL (the suite's
    second run), tests that reach no database are deselected: they ran, the same, in the SQLite run
    (pytest-django refuses database access to a test without a database fixture, so none can differ)."""
    if os.environ.get("K8S_TASKS_TEST_DB", "sqlite") == "postgres":
        if os.environ.get("K8S_TASKS_TEST_ALL") == "1":
            return
        independent = [item for item in items if not uses_database(item)]
        if independent:
            config.hook.pytest_deselected(items=independent)
            items[:] = [item for item in items if uses_database(item)]
        return
    skip = pytest.mark.skip(reason="postgres_only: needs PostgreSQL (run with K8S_TASKS_TEST_DB=postgres)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)
