"""Hostile TaskQueues on the real operator: a podTemplate that would own the node gets Valid=False naming the
field and the rule, and nothing of its queue is dispatched; the operator's --pod-security setting relaxes
the level on purpose, shown in every TaskQueue's status, and admits exactly what that level allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import NAMESPACE, Operator, QueueFactory, jobs
from tests.faults import tasks
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster
GROUP, VERSION, PLURAL = "k8stasks.io", "v1alpha1", "taskqueues"
HOST_NETWORK = {"spec": {"hostNetwork": True}}
ROOT = {"spec": {"securityContext": {"runAsUser": 0, "runAsNonRoot": False}}}
OTHER_TASK = {"spec": {"containers": [{"name": "task", "args": ["run", "another-tasks-id"]}]}}


def status(api: client.ApiClient, name: str) -> dict[str, Any]:
    body = client.CustomObjectsApi(api).get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name)
    return dict(body.get("status") or {})


def valid(api: client.ApiClient, name: str) -> tuple[str, str] | None:
    conditions = status(api, name).get("conditions") or []
    return next(((c["status"], c.get("message", "")) for c in conditions if c["type"] == "Valid"), None)


def start(env: dict[str, str], tmp_path: Path, *args: str) -> Operator:
    operator = Operator(env, tmp_path / "operator.log", args=("--namespace", NAMESPACE, *args))
    operator.start()
    return operator


def test_a_hostile_pod_template_is_refused_and_its_queue_dispatches_nothing(
    make_queue: QueueFactory, api: client.ApiClient, operator_env: dict[str, str], tmp_path: Path
) -> None:
    make_queue("sandbox", podTemplate=HOST_NETWORK)
    make_queue("limited", podTemplate=OTHER_TASK)
    make_queue("default")
    operator = start(operator_env, tmp_path)
    try:
        held = tasks.step.using(queue_name="sandbox").enqueue(str(tmp_path / "ledger"), 0.1)
        fine = tasks.step.enqueue(str(tmp_path / "ledger"), 0.1)
        wait_until(lambda: TaskRecord.objects.get(pk=fine.id).status == "SUCCESSFUL", timeout=60)
        sandbox = wait_until(lambda: valid(api, "sandbox"), timeout=30, what="the sandbox queue's status")
        assert sandbox[0] == "False"
        assert "spec.podTemplate.spec.hostNetwork" in sandbox[1] and 'Pod Security "restricted"' in sandbox[1]
        limited = wait_until(lambda: valid(api, "limited"), timeout=30, what="the limited queue's status")
        assert limited[0] == "False" and "spec.podTemplate.spec.containers[task].args" in limited[1]
        reason = wait_until(lambda: TaskRecord.objects.get(pk=held.id).reason, timeout=30, what="a reason")
        assert "is invalid" in reason and "hostNetwork" in reason, reason
        assert TaskRecord.objects.get(pk=held.id).dispatched_at is None
        assert jobs(api, "k8stasks.io/queue=sandbox") == [] and jobs(api, "k8stasks.io/queue=limited") == []
        assert status(api, "default")["podSecurity"] == "restricted"
    finally:
        operator.stop()


def test_a_relaxed_level_admits_what_it_allows_and_says_so(
    make_queue: QueueFactory, api: client.ApiClient, operator_env: dict[str, str], tmp_path: Path
) -> None:
    make_queue("highmem", podTemplate=ROOT)
    make_queue("sandbox", podTemplate=HOST_NETWORK)
    operator = start(operator_env, tmp_path, "--pod-security", "baseline")
    try:
        assert wait_until(lambda: valid(api, "highmem"), timeout=30)[0] == "True", "baseline admits root"
        refused = wait_until(lambda: valid(api, "sandbox"), timeout=30)
        assert refused[0] == "False" and 'Pod Security "baseline"' in refused[1]
        assert status(api, "highmem")["podSecurity"] == status(api, "sandbox")["podSecurity"] == "baseline"
        assert "not 'restricted'" in operator.log()
    finally:
        operator.stop()
