"""The benchmark database: chosen before Django starts, created fresh and migrated."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def choose(kind: str, workdir: Path) -> dict[str, str]:
    """Environment for bench.settings (this process and its children) on a fresh database of `kind`."""
    env = {"BENCH_DB": kind}
    if kind == "sqlite":
        env["BENCH_SQLITE_PATH"] = str(Path(tempfile.mkdtemp(dir=workdir)) / "bench.sqlite3")
    else:
        env["BENCH_PG_NAME"] = f"k8s_tasks_bench_{os.getpid()}"
        _recreate_postgres(env["BENCH_PG_NAME"])
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    return env


def _postgres_admin() -> object:
    import psycopg

    return psycopg.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"),
        dbname="postgres",
        autocommit=True,
    )


def _recreate_postgres(name: str) -> None:
    with _postgres_admin() as conn:  # type: ignore[attr-defined]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(env: dict[str, str]) -> None:
    """Remove the database made by choose() (connections must be closed first)."""
    if env["BENCH_DB"] == "postgres":
        with _postgres_admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{env["BENCH_PG_NAME"]}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(env["BENCH_SQLITE_PATH"] + suffix).unlink(missing_ok=True)


def setup() -> None:
    """django.setup() and migrate, quietly."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
