"""The chart's Role is exactly what the operator uses: every rule is needed, and nothing more is granted.

The operator runs as its ServiceAccount under the Role the chart renders (tests/rbac.py). One scenario uses
everything the operator does (dispatch, a pod that dies without a result, a cancel, a Job deleted behind
its back, a sealed task, an isolated queue's policy put back after tampering and dropped when the queue
stops being isolated); the requests it made, from the local cluster's audit log, must be exactly the
Role's grants. Then, rule by rule, the same scenario without that rule makes the operator's log show the
API server's real 403 for it.

The permissions do not depend on the database: these run on SQLite only (the suite's PostgreSQL run skips
them), to keep the suite's time.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

import k8s_tasks
from k8s_tasks.testing.cluster import LocalCluster
from tests import rbac
from tests.e2e import NAMESPACE, Operator, QueueFactory, jobs
from tests.faults import tasks
from tests.faults.conftest import status, wait_all_final
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        os.environ.get("K8S_TASKS_TEST_DB") == "postgres", reason="permissions do not depend on the database"
    ),
]
GROUP, VERSION, PLURAL = "k8stasks.io", "v1alpha1", "taskqueues"


def custom(api: client.ApiClient) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api)


def scenario(api: client.ApiClient, make_queue: QueueFactory, ledger: Path, *, complete: bool) -> list[str]:
    """Everything the operator does, in one run. With `complete`, waits for each part to finish."""
    make_queue("default", concurrency=5, retries={"backoffSeconds": 0.2})
    make_queue("sandbox", network="isolated")
    gate = ledger.with_name("gate")
    ok = tasks.step.enqueue(str(ledger), 0.1)
    dies = tasks.step.enqueue(str(ledger), 0.1, exit_attempts=5)  # its log tail is read
    sealed = tasks.step.using(queue_name="sandbox").enqueue(str(ledger), 0.1)
    cancelled = tasks.step.enqueue(str(ledger), 0, gate=str(gate))
    vanishing = tasks.step.enqueue(str(ledger), 0, gate=str(gate))
    ids = [ok.id, dies.id, sealed.id, cancelled.id, vanishing.id]
    if not complete:
        return ids
    wait_until(lambda: status(cancelled.id) == status(vanishing.id) == "RUNNING", timeout=60)
    k8s_tasks.cancel(cancelled.id)
    (job,) = jobs(api, f"k8stasks.io/task-id={vanishing.id}")
    client.BatchV1Api(api).delete_namespaced_job(
        job.metadata.name, NAMESPACE, propagation_policy="Background"
    )
    wait_until(lambda: status(cancelled.id) == "FAILED", timeout=60, what="the cancel")
    gate.touch()
    wait_all_final(ids, timeout=90)
    networking = client.NetworkingV1Api(api)
    policy = networking.read_namespaced_network_policy("k8s-tasks-isolate-sandbox", NAMESPACE)
    networking.patch_namespaced_network_policy(
        policy.metadata.name, NAMESPACE, {"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}}
    )
    wait_until(
        lambda: not networking.read_namespaced_network_policy(policy.metadata.name, NAMESPACE).spec.egress,
        timeout=60,
        what="the operator to put the policy back",
    )
    body = custom(api).get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "sandbox")
    body["spec"]["network"] = "default"
    custom(api).replace_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "sandbox", body)
    wait_until(
        lambda: not networking.list_namespaced_network_policy(NAMESPACE).items,
        timeout=60,
        what="the policy of a queue no longer isolated to go",
    )
    return ids


def test_the_role_is_exactly_what_the_operator_uses(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, cluster: LocalCluster, ledger: Path
) -> None:
    operator.start()
    scenario(api, make_queue, ledger, complete=True)
    used, granted = rbac.calls(cluster), rbac.granted(rbac.chart_role_rules())
    unused = {c for c in granted - used if not c[1].startswith("taskschedules")}  # no schedule here
    assert used <= granted, f"used but not granted: {sorted(used - granted)}"
    assert not unused, f"granted but never used: {sorted(unused)}"


def without(rule: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    return tuple(r for r in rbac.chart_role_rules() if r != rule)


def rule_id(rule: dict[str, Any]) -> str:
    return f"{rule['apiGroups'][0] or 'core'}/{rule['resources'][0]}"


@pytest.mark.parametrize(
    "rule",
    [r for r in rbac.chart_role_rules() if not r["resources"][0].startswith("taskschedules")],
    ids=rule_id,
)
def test_each_rule_is_needed(
    rule: dict[str, Any],
    make_queue: QueueFactory,
    api: client.ApiClient,
    cluster: LocalCluster,
    fault_env: dict[str, str],
    tmp_path: Path,
    ledger: Path,
) -> None:
    """Without this one rule the operator meets the API server's real 403 for it, and says so."""
    env = {
        **fault_env,
        "KUBECONFIG": str(cluster.kubeconfig_for(rbac.SA_NAMESPACE, rbac.SERVICE_ACCOUNT, tmp_path / "k")),
    }
    rbac_api = client.RbacAuthorizationV1Api(api)
    rbac_api.patch_namespaced_role("k8s-tasks-operator", NAMESPACE, {"rules": list(without(rule))})
    operator = Operator(env, tmp_path / "operator.log")
    operator.start()
    try:
        ids = scenario(api, make_queue, ledger, complete=False)
        resource, group = rule["resources"][0], rule["apiGroups"][0]
        quoted = r'\\?"{}\\?"'.format  # the message, as JSON inside the client's exception text
        denied = re.compile(
            f"forbidden: User {quoted(re.escape(rbac.USER))} cannot ({'|'.join(rule['verbs'])}) resource "
            f"{quoted(re.escape(resource))} in API group {quoted(re.escape(group))} in the namespace "
            f"{quoted(NAMESPACE)}"
        )
        del ids
        deadline = time.monotonic() + 60
        while not denied.search(operator.log()):
            assert time.monotonic() < deadline, f"no 403 for {rule} in the operator's log"
            time.sleep(0.2)  # polling the log file
    finally:
        operator.stop()
