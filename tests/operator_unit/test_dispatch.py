"""Pure parts of dispatch: the Dispatched Event of a batch and the TaskQueue it is recorded on."""

from __future__ import annotations

from k8s_tasks_operator.config import OperatorConfig
from k8s_tasks_operator.dispatch import dispatched_message, queue_object
from k8s_tasks_operator.queues import load_queue
from k8s_tasks_operator.runtime import Runtime


def test_dispatched_message_counts_the_batch_and_names_the_first_jobs() -> None:
    assert dispatched_message(["task-a-1"]) == "Created 1 Job: task-a-1"
    names = [f"task-{i}-1" for i in range(200)]
    assert dispatched_message(names) == "Created 200 Jobs: task-0-1, task-1-1, task-2-1 and 197 more"
    assert dispatched_message(names[:3]) == "Created 3 Jobs: task-0-1, task-1-1, task-2-1"


def test_queue_object_carries_what_kubectl_describe_matches_events_on() -> None:
    state = load_queue(
        {"metadata": {"name": "gpu", "uid": "u-1", "generation": 2}, "spec": {"queueName": "ml"}}
    )
    obj = queue_object(Runtime(config=OperatorConfig(namespace="tasks")), state)
    assert obj == {
        "apiVersion": "k8stasks.io/v1alpha1",
        "kind": "TaskQueue",
        "metadata": {"name": "gpu", "namespace": "tasks", "uid": "u-1"},
    }
