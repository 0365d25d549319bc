"""Fixtures for the examples: paths, and an environment for processes of the demo project.

The demo project has its own settings (examples/demo/demo_project/settings.py). Its processes get a fresh
database of the kind this test run uses (K8S_TASKS_TEST_DB): a SQLite file in the test's tmp_path, or a
PostgreSQL database created for the test and dropped after it.
"""

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DEMO = EXAMPLES / "demo"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name[:2].isdigit())

# The example modules and the demo driver, importable in this process for unit tests of pure functions.
for path in [DEMO, *(EXAMPLES / name for name in EXAMPLE_NAMES)]:
    if str(path) not in sys.path:
        sys.path.append(str(path))


@pytest.fixture
def demo_db() -> Iterator[tuple[str, str]]:
    """(kind, PostgreSQL database name) for the demo project's processes; the database is dropped after."""
    kind = os.environ.get("K8S_TASKS_TEST_DB", "sqlite")
    if kind != "postgres":
        yield kind, ""
        return
    import psycopg

    name = f"k8s_tasks_demo_{uuid.uuid4().hex[:10]}"
    host, port = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGPORT", "5432")
    conninfo = f"host={host} port={port} user={os.environ.get('PGUSER', 'postgres')} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield kind, name
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_env(tmp_path: Path, demo_db: tuple[str, str]) -> dict[str, str]:
    """Environment for a process of the demo project, with its own work directory and database."""
    kind, name = demo_db
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "demo_project.settings",
            "PYTHONPATH": os.pathsep.join([str(DEMO), str(ROOT)]),
            "K8S_DEMO_WORKDIR": str(tmp_path / "work"),
            "K8S_DEMO_DB": kind,
            "K8S_DEMO_DB_NAME": name,
            "PYTHONUNBUFFERED": "1",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
    )
    return env
