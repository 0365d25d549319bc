"""Settings of the demo project.

Environment (read here only):
- K8S_DEMO_WORKDIR: where the SQLite database and sent mail live (default: <repo>/demo-run).
- K8S_DEMO_DB: ``sqlite`` (default) or ``postgres``; K8S_DEMO_DB_NAME names the PostgreSQL database
  (PGHOST / PGPORT / PGUSER / PGPASSWORD as usual).

The example folders (examples/01-hello, ...) are put on sys.path, so a task such as ``hello.greet`` is
importable by its path in every process: this shell, the operator and each task pod.
"""

import os
import sys
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = DEMO_DIR.parent
EXAMPLE_DIRS = sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir() and p.name[:2].isdigit())
for _path in EXAMPLE_DIRS:
    if str(_path) not in sys.path:
        sys.path.append(str(_path))

WORKDIR = Path(os.environ.get("K8S_DEMO_WORKDIR") or EXAMPLES_DIR.parent / "demo-run")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "k8s-tasks-demo-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "demo_project.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "k8s_tasks",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [path / "templates" for path in EXAMPLE_DIRS if (path / "templates").is_dir()],
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

_db = os.environ.get("K8S_DEMO_DB", "sqlite")
if _db == "sqlite":
    WORKDIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(WORKDIR / "demo.sqlite3"),
            # The operator and every task pod are separate processes sharing this file.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
elif _db == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("K8S_DEMO_DB_NAME", "k8s_tasks_demo"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
        }
    }
else:
    raise RuntimeError(f"K8S_DEMO_DB={_db!r}: set it to 'sqlite' (the default) or 'postgres'")

# One queue per TaskQueue in examples/demo/queues.yaml.
TASKS = {
    "default": {
        "BACKEND": "k8s_tasks.backend.KubernetesBackend",
        "QUEUES": ["default", "gpu", "highmem", "sandbox", "retrying", "deadline"],
        "OPTIONS": {"NAMESPACE": "default"},
    }
}

# 02-notification-email: every message is written to a file, so the demo works offline.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(WORKDIR / "mail")
DEFAULT_FROM_EMAIL = "news@demo.example"
