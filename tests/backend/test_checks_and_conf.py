"""System checks and OPTIONS: every problem names the field, the value and the fix."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from k8s_tasks.backend import KubernetesBackend
from k8s_tasks.compat import FRAMEWORK, task_backends
from k8s_tasks.conf import BackendOptions, get_options, parse_options

BACKEND = "k8s_tasks.backend.KubernetesBackend"
ROOT = Path(__file__).resolve().parents[2]


def ids(backend: KubernetesBackend) -> list[str]:
    return [message.id for message in backend.check() if message.id]


def test_the_test_settings_pass_all_checks() -> None:
    assert task_backends["default"].check() == []
    assert get_options() == BackendOptions(database="default", namespace="default")


def test_app_missing_from_installed_apps_is_e001() -> None:
    with override_settings(INSTALLED_APPS=["django.contrib.contenttypes"]):
        [message] = KubernetesBackend("default", {"QUEUES": ["default"]}).check()
    assert message.id == "k8s_tasks.E001" and message.hint == "Add 'k8s_tasks' to INSTALLED_APPS."


def test_bad_options_are_e002_naming_key_value_and_fix() -> None:
    backend = KubernetesBackend(
        "jobs", {"QUEUES": ["default"], "OPTIONS": {"DATABSE": "x", "NAMESPACE": "Bad_NS"}}
    )
    messages = backend.check()
    assert [m.id for m in messages] == ["k8s_tasks.E002", "k8s_tasks.E002"]
    assert "unknown key 'DATABSE'" in messages[0].msg and "DATABASE, NAMESPACE" in messages[0].msg
    assert "['NAMESPACE'] is 'Bad_NS'" in messages[1].msg
    with pytest.raises(ImproperlyConfigured, match="unknown key 'DATABSE'"):
        _ = backend.options_parsed


def test_unknown_database_alias_is_e002() -> None:
    backend = KubernetesBackend("jobs", {"QUEUES": ["default"], "OPTIONS": {"DATABASE": "tasks"}})
    [message] = backend.check()
    assert "['DATABASE'] is 'tasks'" in message.msg and "DATABASES: default" in message.msg


def test_no_queues_is_a_warning_and_bad_queue_names_e004() -> None:
    """Django documents QUEUES: [] as valid (no queue validation): a Warning, which blocks nothing."""
    [message] = KubernetesBackend("jobs", {"QUEUES": []}).check()
    assert message.id == "k8s_tasks.W001" and message.level == checks.WARNING
    assert ids(KubernetesBackend("jobs", {"QUEUES": ["ok", "not ok", "x" * 64]})) == ["k8s_tasks.E004"] * 2


def test_options_that_are_not_a_dict() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"TASKS\['a'\]\['OPTIONS'\] is \['x'\]; set it to a dict"):
        parse_options("a", ["x"])


def test_unknown_backend_alias_says_what_to_set() -> None:
    with pytest.raises(ImproperlyConfigured, match="TASKS has no backend 'other'"):
        get_options("other")


def test_manage_py_check_reports_through_django() -> None:
    from k8s_tasks.compat import check_tasks  # what `manage.py check` runs for TASKS

    broken = {"default": {"BACKEND": BACKEND, "QUEUES": [], "OPTIONS": {"NAMESPACE": "UPPER"}}}
    with override_settings(TASKS=broken):
        found = {m.id for m in check_tasks() if m.id and m.id.startswith("k8s_tasks.")}
    assert found == {"k8s_tasks.E002", "k8s_tasks.W001"}


def test_without_the_app_enqueue_says_e001_and_stores_nothing() -> None:
    from tests import tasks

    with (
        override_settings(INSTALLED_APPS=["django.contrib.contenttypes"]),
        pytest.raises(ImproperlyConfigured, match=r"k8s_tasks.E001.*add 'k8s_tasks' to INSTALLED_APPS"),
    ):
        tasks.add.enqueue(1, 2)


def test_manage_py_check_without_the_app_reports_e001(tmp_path: Path) -> None:
    """A project that does not install the app: `manage.py check` reports E001. (Django runs the task
    backends' checks once django.tasks is loaded before the checks run: here, as in most projects, by an
    app whose models import its tasks. On Django 5.2 the backport registers them once its checks module is
    imported, by its app or by k8s_tasks.compat: the task here loads the backend, which imports it.)"""
    (tmp_path / "noapp_settings.py").write_text(
        "SECRET_KEY = 'x'\nUSE_TZ = True\nINSTALLED_APPS = ['django.contrib.contenttypes', 'shop']\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
        "TASKS = {'default': {'BACKEND': 'k8s_tasks.backend.KubernetesBackend', 'QUEUES': ['default']}}\n"
    )
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "models.py").write_text(
        f"from {FRAMEWORK} import task\n\n\n@task()\ndef ship() -> None: ...\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "noapp_settings", "PYTHONPATH": f"{tmp_path}:{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "k8s_tasks.E001" in done.stderr and "Add 'k8s_tasks' to INSTALLED_APPS." in done.stderr
