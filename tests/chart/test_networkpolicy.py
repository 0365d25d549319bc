"""Isolated queues are isolated by the operator, not by the chart: the chart renders no NetworkPolicy for
them (NetworkPolicies add up, so a chart policy allowing DNS and the database would reopen what the
operator's deny-all closes), refuses the values that used to shape one, and the operator's policy for each
isolated queue the chart renders selects exactly the pods the operator builds for that queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from k8s_tasks.profiles import TaskRef, build_job
from k8s_tasks_operator.isolation import policy_for
from k8s_tasks_operator.queues import load_queue

from .helm import ROOT, by_kind, render, render_error

FULL = Path(__file__).with_name("values-full.yaml")
KIND = ROOT / "scripts" / "kind" / "values-kind.yaml"
ISOLATED_BY_QUEUE_DEFAULTS = {
    "queueDefaults": {"network": "isolated"},
    "queues": {"default": None, "scan": {"queueName": "scan_uploads"}},
}


def isolated_policies(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """NetworkPolicies that select task pods (the operator pod's own optional policy is not one)."""
    return [
        p
        for p in by_kind(manifests, "NetworkPolicy")
        if "k8stasks.io/queue" in p["spec"]["podSelector"].get("matchLabels", {})
        or "k8stasks.io/network" in p["spec"]["podSelector"].get("matchLabels", {})
    ]


@pytest.mark.parametrize(
    ("values", "files"),
    [
        ({"queues": {"default": {}, "sandbox": {"network": "isolated"}}}, ()),
        (ISOLATED_BY_QUEUE_DEFAULTS, ()),
        ({}, (FULL,)),
        ({}, (KIND,)),
    ],
    ids=["sandbox", "queue-defaults", "full", "kind"],
)
def test_the_chart_renders_no_policy_for_isolated_queues(
    values: dict[str, Any], files: tuple[Path, ...]
) -> None:
    manifests = render(values, value_files=files)
    isolated = [q for q in by_kind(manifests, "TaskQueue") if q["spec"].get("network") == "isolated"]
    assert isolated, "the case must render an isolated queue"
    assert isolated_policies(manifests) == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"networkPolicy": {"enabled": True}}, "additional properties 'networkPolicy' not allowed"),
        (
            {"database": {"egress": {"cidr": "10.0.12.7/32", "port": 5432}}},
            "at '/database': additional properties 'egress' not allowed",
        ),
    ],
)
def test_the_values_of_the_old_policy_are_refused_naming_them(values: dict[str, Any], expected: str) -> None:
    """An upgrade with a values file that still sets them fails, rather than silently ignoring them."""
    assert expected in render_error(values)


def operator_policy(queue: dict[str, Any]) -> dict[str, Any]:
    """The NetworkPolicy the operator makes for a TaskQueue as the chart renders it."""
    body = {**queue, "metadata": {**queue["metadata"], "uid": "0000-uid"}}
    return policy_for(load_queue(body), "tasks")


def pod_labels(queue: dict[str, Any]) -> dict[str, str]:
    """The labels of the pod the operator builds for a task of this TaskQueue."""
    state = load_queue(queue)
    assert state.profile is not None, state.errors
    task = TaskRef(id="3f9c2a", attempt=1, task_path="shop.tasks.scan", queue_name=state.queue_name)
    job = build_job(state.profile, task, namespace="tasks", default_image="app:1", settings_module="s")
    labels: dict[str, str] = job["spec"]["template"]["metadata"]["labels"]
    return labels


@pytest.mark.parametrize(
    ("values", "files"), [({}, (FULL,)), (ISOLATED_BY_QUEUE_DEFAULTS, ())], ids=["full", "queue-defaults"]
)
def test_the_operators_policy_selects_exactly_the_isolated_queues_pods(
    values: dict[str, Any], files: tuple[Path, ...]
) -> None:
    queues = by_kind(render(values, value_files=files), "TaskQueue")
    isolated = [q for q in queues if q["spec"].get("network") == "isolated"]
    assert isolated
    for queue in isolated:
        policy = operator_policy(queue)
        assert policy["metadata"]["name"] == f"k8s-tasks-isolate-{queue['metadata']['name']}"
        assert policy["metadata"]["ownerReferences"][0]["kind"] == "TaskQueue"
        # Deny-all: both directions isolated, no rule that allows anything.
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
        assert "ingress" not in policy["spec"] and "egress" not in policy["spec"]
        selector = policy["spec"]["podSelector"]["matchLabels"]
        for other in queues:
            selected = selector.items() <= pod_labels(other).items()
            assert selected == (other is queue), (queue["metadata"]["name"], other["metadata"]["name"])
