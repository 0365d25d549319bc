"""values.queues -> one TaskQueue per entry; the database Secret reaches every task pod via envFrom."""

from __future__ import annotations

from pathlib import Path

from .helm import NAMESPACE, by_kind, one, render

FULL = Path(__file__).with_name("values-full.yaml")


def queues(manifests: list[dict]) -> dict[str, dict]:
    return {q["metadata"]["name"]: q for q in by_kind(manifests, "TaskQueue")}


def test_one_taskqueue_per_entry_named_after_the_key() -> None:
    found = queues(render(value_files=[FULL]))
    assert sorted(found) == ["default", "emails", "gpu", "highmem", "sandbox"]
    for name, queue in found.items():
        assert queue["spec"]["queueName"] == name
        assert queue["metadata"]["namespace"] == NAMESPACE


def test_the_default_chart_has_the_default_queue_only() -> None:
    found = queues(render())
    assert list(found) == ["default"]
    assert found["default"]["spec"] == {"concurrency": 4, "queueName": "default"}


def test_profile_fields_pass_through_unchanged() -> None:
    gpu = queues(render(value_files=[FULL]))["gpu"]["spec"]
    assert gpu["nodeSelector"] == {"pool": "gpu"}
    assert gpu["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert gpu["resources"] == {
        "requests": {"cpu": "2", "memory": "8Gi"},
        "limits": {"memory": "8Gi", "nvidia.com/gpu": 1},
    }
    assert gpu["runtimeClassName"] == "nvidia" and gpu["timeoutSeconds"] == 3600


def test_database_secret_is_injected_once_into_every_queue() -> None:
    values = {
        "database": {"existingSecret": "db"},
        "queues": {
            "a": {"concurrency": 1},
            "b": {"envFrom": [{"configMapRef": {"name": "cfg"}}]},
            "c": {"envFrom": [{"secretRef": {"name": "db"}}]},
        },
    }
    found = queues(render(values))
    assert found["a"]["spec"]["envFrom"] == [{"secretRef": {"name": "db"}}]
    assert found["b"]["spec"]["envFrom"] == [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "db"}}]
    assert found["c"]["spec"]["envFrom"] == [{"secretRef": {"name": "db"}}]


def test_an_isolated_queue_gets_no_database_secret() -> None:
    """Its pods run sealed (no database; the operator writes their results) and may reference no Secret."""
    values = {
        "database": {"existingSecret": "db"},
        "queues": {"plain": {}, "sandbox": {"network": "isolated"}},
    }
    found = queues(render(values))
    assert found["plain"]["spec"]["envFrom"] == [{"secretRef": {"name": "db"}}]
    assert "envFrom" not in found["sandbox"]["spec"]


def test_injection_can_be_switched_off() -> None:
    values = {"database": {"existingSecret": "db", "injectIntoQueues": False}}
    assert "envFrom" not in queues(render(values))["default"]["spec"]


def test_queue_defaults_are_merged_under_each_queue() -> None:
    found = queues(render(value_files=[FULL]))
    assert found["gpu"]["spec"]["ttlSecondsAfterFinished"] == 7200
    assert found["sandbox"]["spec"]["ttlSecondsAfterFinished"] == 600  # the queue's own value wins
    assert {q["spec"]["serviceAccountName"] for q in found.values()} == {"shop-tasks"}


def test_an_explicit_queue_name_maps_a_django_name_that_is_not_a_dns_label() -> None:
    queue = one(render({"queues": {"default": None, "bulk-mail": {"queueName": "bulk_mail"}}}), "TaskQueue")
    assert queue["metadata"]["name"] == "bulk-mail"
    assert queue["spec"]["queueName"] == "bulk_mail"


def test_an_empty_queue_entry_still_makes_a_taskqueue() -> None:
    found = queues(render({"queues": {"plain": {}}}))
    assert found["plain"]["spec"] == {"queueName": "plain"}
