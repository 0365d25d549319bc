"""The attack of issue 13, scripted as tasks on an isolated (sealed) queue, using only what the pod was
given: look for database credentials in its env and files, connect to the database, read another task's
arguments, set a running victim SUCCESSFUL, report an outcome for another task or attempt, enqueue work.
Each attempt fails with a clear error, and the victim ends with its own outcome.

PostgreSQL only: with SQLite the database is a file on this machine, and the local cluster's pods are
processes on this machine (a real pod's filesystem is its image's; SQLite is for one machine anyway).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import NAMESPACE, Operator, QueueFactory, jobs
from tests.faults.conftest import status, wait_all_final
from tests.security import attack
from tests.waiting import wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.postgres_only]
SEALED = "k8s_tasks.exceptions.SealedDatabaseAccess"


def test_a_sealed_task_can_reach_nothing_and_forge_nothing(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path
) -> None:
    make_queue("default")
    make_queue("sandbox", network="isolated", concurrency=3)
    operator.start()
    gate = ledger.with_name("gate")
    victim = attack.victim.enqueue(str(gate), api_token="s3cr3t-token")
    wait_until(lambda: status(victim.id) == "RUNNING", timeout=60, what="the victim running")
    probe = attack.attack.using(queue_name="sandbox").enqueue(victim.id)
    other = attack.forge.using(queue_name="sandbox").enqueue(victim.id, 1)
    own_next = attack.forge.using(queue_name="sandbox").enqueue(victim.id, 1, own_next_attempt=True)
    wait_all_final([probe.id, other.id, own_next.id], timeout=90)
    gate.touch()
    wait_all_final([victim.id], timeout=60)

    seen = TaskRecord.objects.get(pk=probe.id).return_value
    assert seen["credential_env"] == [] and seen["credential_files"] == [], seen
    assert seen["handed"] == ["task.json"], "its own task, nothing else"
    assert seen["connect"].startswith("psycopg.OperationalError") and "unreachable" in seen["connect"], seen
    for name in ("read_victim", "forge_victim", "enqueue"):
        assert seen[name].startswith(SEALED) and "runs sealed" in seen[name], (name, seen[name])

    for forged in (other.id, own_next.id):
        row = TaskRecord.objects.get(pk=forged)
        assert row.status == "FAILED" and row.return_value is None, (row.status, row.reason)
        assert row.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodFailed", row.reason
    victim_row = TaskRecord.objects.get(pk=victim.id)
    assert (victim_row.status, victim_row.return_value, victim_row.attempt) == ("SUCCESSFUL", "ok", 1)
    assert "forged" not in str(victim_row.return_value)
    assert TaskRecord.objects.count() == 4, "nothing was enqueued by the attack"
    assert "refused (a pod reports on its own attempt only)" in operator.log()

    # What the sealed pods were given: no database Secret, no database env, no service account token.
    for job in jobs(api, "k8stasks.io/queue=sandbox"):
        pod = client.ApiClient().sanitize_for_serialization(job.spec.template.spec)
        for container in pod["containers"]:
            env = container.get("env") or []
            # No value from a Secret, no Secret's keys as env, no libpq variable (PGHOST, PGPASSWORD, ...).
            assert not [e["name"] for e in env if "secretKeyRef" in (e.get("valueFrom") or {})], env
            assert not [f for f in container.get("envFrom") or [] if "secretRef" in f], container
            assert not [e["name"] for e in env if e["name"].startswith("PG")], env
        assert pod["automountServiceAccountToken"] is False
        assert [v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v] == [job.metadata.name]
    policy = client.NetworkingV1Api(api).read_namespaced_network_policy(
        "k8s-tasks-isolate-sandbox", NAMESPACE
    )
    assert (
        policy.spec.policy_types == ["Ingress", "Egress"]
        and not policy.spec.ingress
        and not policy.spec.egress
    )
