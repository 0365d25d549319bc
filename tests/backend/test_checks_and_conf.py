"""System checks and OPTIONS: every problem names the field, the value and the fix."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.tasks import task_backends
from django.test import override_settings

from k8s_tasks.backend import KubernetesBackend
from k8s_tasks.conf import BackendOptions, get_options, parse_options

BACKEND = "k8s_tasks.backend.KubernetesBackend"


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


def test_no_queues_is_e003_and_bad_queue_names_e004() -> None:
    assert ids(KubernetesBackend("jobs", {"QUEUES": []})) == ["k8s_tasks.E003"]
    assert ids(KubernetesBackend("jobs", {"QUEUES": ["ok", "not ok", "x" * 64]})) == ["k8s_tasks.E004"] * 2


def test_options_that_are_not_a_dict() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"TASKS\['a'\]\['OPTIONS'\] is \['x'\]; set it to a dict"):
        parse_options("a", ["x"])


def test_unknown_backend_alias_says_what_to_set() -> None:
    with pytest.raises(ImproperlyConfigured, match="TASKS has no backend 'other'"):
        get_options("other")


def test_manage_py_check_reports_through_django() -> None:
    from django.tasks.checks import check_tasks  # what `manage.py check` runs for TASKS

    broken = {"default": {"BACKEND": BACKEND, "QUEUES": [], "OPTIONS": {"NAMESPACE": "UPPER"}}}
    with override_settings(TASKS=broken):
        found = {m.id for m in check_tasks() if m.id and m.id.startswith("k8s_tasks.")}
    assert found == {"k8s_tasks.E002", "k8s_tasks.E003"}
