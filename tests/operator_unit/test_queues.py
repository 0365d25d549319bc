"""The operator's view of TaskQueues, without a cluster."""

from __future__ import annotations

from typing import Any

from k8s_tasks_operator.queues import QueueRegistry, load_queue, queue_status


def body(name: str, generation: int = 1, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "generation": generation}, "spec": spec}


def test_valid_queue_status_names_pool_gpus_and_counts() -> None:
    state = load_queue(
        body("gpu", nodeSelector={"pool": "gpu"}, resources={"limits": {"nvidia.com/gpu": 2}}, queueName="ml")
    )
    status = queue_status(state, {"ready": 3, "running": 1, "failed": 2, "succeeded": 7})
    assert status["queueName"] == "ml"
    assert (status["pool"], status["gpus"]) == ("pool=gpu", "2")
    assert (status["ready"], status["running"], status["failed"], status["succeeded"]) == (3, 1, 2, 7)
    assert status["conditions"][0]["status"] == "True"


def test_invalid_queue_condition_names_field_value_and_fix() -> None:
    state = load_queue(body("highmem", resources={"limits": {"memory": "lots"}}, conurrency=2))
    assert not state.valid
    message = queue_status(state, {})["conditions"][0]["message"]
    assert "spec.resources.limits.memory" in message and "'lots'" in message and "Mi" in message
    assert "conurrency" in message


def test_registry_follows_events_and_refuses_two_objects_for_one_queue() -> None:
    registry = QueueRegistry()
    registry.apply(None, body("a", queueName="shared"))
    registry.apply("ADDED", body("b", queueName="shared"))
    registry.apply("ADDED", body("other"))
    assert {s.name for s in registry.valid()} == {"a", "other"}
    loser = next(s for s in registry.all() if s.name == "b")
    assert "already served by TaskQueue 'a'" in loser.problems[0]
    registry.apply("DELETED", body("a", queueName="shared"))
    assert {s.name for s in registry.valid()} == {"b", "other"}
    assert registry.known_queue_names() == {"shared", "other"}
