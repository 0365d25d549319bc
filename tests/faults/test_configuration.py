"""Configuration honoured (issue 12, cases 9 and 10): the operator serves the backend's own DATABASE in
its NAMESPACE, and a task id is never shortened on the way from a Job back to its row."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks.testing.cluster import LocalCluster
from tests import rbac
from tests.e2e import Operator, QueueFactory
from tests.faults import tasks
from tests.faults.conftest import status, wait_all_final
from tests.faults.ledger import assert_invariant
from tests.waiting import wait_until

SETTINGS = "tests.faults.settings_tasks_database"


@pytest.fixture
def second_database(tmp_path: Path) -> Iterator[str]:
    """The name of a second, empty database of this run's kind (dropped after)."""
    if connection.vendor != "postgresql":
        yield str(tmp_path / "tasks.sqlite3")
        return
    name = f"k8s_tasks_second_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_9_rows_in_the_backends_own_database_and_namespace(
    api: client.ApiClient,
    cluster: LocalCluster,
    fault_env: dict[str, str],
    second_database: str,
    tmp_path: Path,
    ledger: Path,
) -> None:
    """OPTIONS {"DATABASE": "tasks", "NAMESPACE": "tasks"}: the operator, given no namespace and no
    backend, serves the `tasks` database in the `tasks` namespace; the tasks run."""
    client.CoreV1Api(api).create_namespace({"metadata": {"name": "tasks"}})
    rbac.grant(cluster, "tasks")  # the chart's Role, in the namespace the backend names
    body = {"apiVersion": "k8stasks.io/v1alpha1", "kind": "TaskQueue", "metadata": {"name": "default"}}
    client.CustomObjectsApi(api).create_namespaced_custom_object(
        "k8stasks.io", "v1alpha1", "tasks", "taskqueues", body
    )
    env = {**fault_env, "DJANGO_SETTINGS_MODULE": SETTINGS, "K8S_TASKS_DB2_NAME": second_database}
    env["K8S_TASKS_POD_ENV"] += ",K8S_TASKS_DB2_NAME"
    env.pop("K8S_TASKS_NAMESPACE", None)
    env.pop("POD_NAMESPACE", None)
    run(env, "-m", "django", "migrate", "--database", "tasks", "-v0")
    ids = json.loads(run(env, "-m", "tests.faults.two_databases", "enqueue", str(ledger), "3"))
    operator = Operator(env, tmp_path / "operator.log", args=())
    operator.start()
    try:
        wait_until(
            lambda: (
                {
                    s
                    for s, _ in json.loads(
                        run(env, "-m", "tests.faults.two_databases", "status", *ids)
                    ).values()
                }
                == {"SUCCESSFUL"}
            ),
            timeout=90,
            interval=0.5,
            what="the 3 tasks in the second database to succeed",
        )
    finally:
        operator.stop()
    log = operator.log()
    assert "serving namespace tasks (from OPTIONS); backends default on database tasks" in log
    pods = client.CoreV1Api(api).list_namespaced_pod(
        "tasks", label_selector="app.kubernetes.io/managed-by=k8s-tasks"
    )
    assert len(pods.items) == 3
    assert run(env, "-m", "tests.faults.two_databases", "default-count").strip() == "0"


def test_10_a_64_character_task_id(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient, ledger: Path, signals: Path
) -> None:
    """The model allows 64-character ids; the Job's label shortens it, its annotation does not: the row
    is found, the task runs, and its Job is not deleted as having no row."""
    make_queue("default")
    template = tasks.step.enqueue(str(ledger), 0.1)
    TaskRecord.objects.filter(pk=template.id).delete()
    long_id = "a-task-id-of-sixty-four-characters-" + "x" * 29
    assert len(long_id) == 64
    TaskRecord.objects.create(
        id=long_id,
        task_path=tasks.step.module_path,
        queue_name="default",
        backend_name="default",
        args=[str(ledger), 0.1],
        kwargs={},
    )
    operator.start()
    wait_all_final([long_id], timeout=60)
    assert status(long_id) == "SUCCESSFUL", TaskRecord.objects.get(pk=long_id).reason
    assert_invariant([long_id], ledger, signals, api)
    assert "no task row" not in operator.log()
