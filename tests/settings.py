"""Django settings for the test suite.

The database comes from K8S_TASKS_TEST_DB (``sqlite`` or ``postgres``). Subprocesses started by tests
(task pods, the operator) import these same settings; K8S_TASKS_DB_NAME then points them at the test
database that pytest-django created, so every process shares one real database.
"""

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "k8s-tasks-tests"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "k8s_tasks",
    "tests.faults",  # counts task_finished across processes when K8S_TASKS_SIGNAL_LEDGER is set
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DB_KIND = os.environ.get("K8S_TASKS_TEST_DB", "sqlite")
# One test database per pytest process, so several test runs on one machine never share (or drop) a database.
_run_id = os.environ.get("K8S_TASKS_TEST_RUN_ID") or str(os.getpid())
_shared_name = os.environ.get("K8S_TASKS_DB_NAME")  # set for subprocesses: the live test database
if DB_KIND == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _shared_name or "k8s_tasks",
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "TEST": {"NAME": f"test_k8s_tasks_{_run_id}"},
        }
    }
elif DB_KIND == "sqlite":
    _sqlite_path = Path(tempfile.gettempdir()) / f"k8s-tasks-test-{os.getuid()}-{_run_id}.sqlite3"
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _shared_name or str(_sqlite_path),
            # A file, not :memory:, so task pods and the operator (other processes) see the same rows.
            "TEST": {"NAME": str(_sqlite_path)},
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
else:
    raise RuntimeError(f"K8S_TASKS_TEST_DB={DB_KIND!r}: use 'sqlite' or 'postgres'")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "k8s_tasks.backend.KubernetesBackend",
        "QUEUES": ["default", "gpu", "highmem", "sandbox", "limited"],
        "OPTIONS": {},
    }
}
