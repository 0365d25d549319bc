"""Django settings for the benchmarks: our backend ("default") and django-tasks-db ("peer") on one database.

BENCH_DB=sqlite|postgres picks the database. SQLite is a file (WAL), at BENCH_SQLITE_PATH (the driver puts
it in a temp dir); PostgreSQL uses the database BENCH_PG_NAME (default k8s_tasks_bench) on PGHOST:PGPORT.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

SECRET_KEY = "k8s-tasks-bench"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = ["django.contrib.contenttypes", "k8s_tasks", "django_tasks_db"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DB_KIND = os.environ.get("BENCH_DB", "sqlite")
if DB_KIND == "postgres":
    DATABASES: dict[str, dict[str, Any]] = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("BENCH_PG_NAME", "k8s_tasks_bench"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "USER": os.environ.get("PGUSER", "postgres"),
        }
    }
elif DB_KIND == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BENCH_SQLITE_PATH")
            or str(Path(tempfile.gettempdir()) / f"k8s-tasks-bench-{os.getuid()}.sqlite3"),
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
else:
    raise RuntimeError(f"BENCH_DB={DB_KIND!r}: use 'sqlite' or 'postgres'")

TASKS = {
    "default": {
        "BACKEND": "k8s_tasks.backend.KubernetesBackend",
        "QUEUES": ["default", "finishing", "direct", "sealed"],  # the last two: bench.sealed
        "OPTIONS": {},
    },
    "peer": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
