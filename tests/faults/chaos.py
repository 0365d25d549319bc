"""The chaos run of issue 12: tasks of every kind across three queues while everything that can fail does,
at random instants (a seeded generator: a failing run can be replayed with its seed).

Tasks: successes, exceptions retried into a success or into a failure, exits without a result, OOMs,
deadlines, cancels. Faults: operator SIGKILLs (at dispatch, write-back, retry and cancel alike: they land
anywhere), a database restart, bursts of API 500 and 429, dropped watches, a 410 Gone, Jobs deleted
behind the operator's back. Then every task must hold the invariant (ledger.py), and the concurrency: 1
queue must still dispatch.
"""

from __future__ import annotations

import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import OperationalError, connection
from kubernetes import client

import k8s_tasks
from k8s_tasks.models import TaskRecord
from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import NAMESPACE, Operator, QueueFactory, jobs
from tests.faults import tasks


@dataclass(frozen=True)
class Size:
    tasks: int
    kills: int
    pause: float
    """The most seconds between two actions (SIGKILL, fault, cancel); the actual pause is random."""


SHORT = Size(tasks=60, kills=12, pause=1.0)
FULL = Size(tasks=300, kills=60, pause=1.5)


@dataclass
class Log:
    counts: dict[str, int] = field(default_factory=dict)

    def __call__(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


def make_queues(make_queue: QueueFactory) -> None:
    retries = {"attempts": 2, "backoffSeconds": 0.2, "maxBackoffSeconds": 2, "infrastructureAttempts": 6}
    make_queue("default", concurrency=8, retries=retries)
    make_queue("highmem", concurrency=3, resources={"limits": {"memory": "64Mi"}}, retries=retries)
    make_queue("limited", concurrency=1, timeoutSeconds=4, retries=retries)


def enqueue(rng: random.Random, ledger: Path, count: int) -> tuple[list[str], list[str]]:
    """The tasks (ids), and the ones to cancel while they run or wait."""
    ids, to_cancel = [], []
    kinds = ["ok"] * 8 + ["retried ok", "retried failed", "exit then ok", "oom", "deadline", "cancel"]
    for n in range(count):
        kind = rng.choice(kinds)
        seconds = rng.uniform(0.3, 2.0)
        if kind == "oom":
            result = tasks.step.using(queue_name="highmem").enqueue(str(ledger), 0.1, mebibytes=256)
        elif kind == "deadline":
            result = tasks.step.using(queue_name="limited").enqueue(str(ledger), 30.0)
        elif n % 10 == 0:  # the concurrency: 1 queue gets its share of plain work too
            result = tasks.step.using(queue_name="limited").enqueue(str(ledger), seconds / 2)
        else:
            options = {
                "ok": {},
                "retried ok": {"fail_attempts": 1},
                "retried failed": {"fail_attempts": 9},
                "exit then ok": {"exit_attempts": 1},
                "cancel": {},
            }[kind]
            result = tasks.step.enqueue(str(ledger), 20.0 if kind == "cancel" else seconds, **options)
        ids.append(result.id)
        if kind == "cancel":
            to_cancel.append(result.id)
    return ids, to_cancel


def restart_database() -> None:
    """A real PostgreSQL restart (every connection of every client is cut; new ones are refused until it
    is up again)."""
    version = subprocess.run(
        ["ls", "/etc/postgresql"], capture_output=True, text=True, check=True
    ).stdout.split()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", sorted(version)[-1], "main", "restart", "-m", "fast"],
        check=True,
        timeout=120,
    )


def cut_database_connections(refuse_seconds: float) -> None:
    """What clients see of a restart, for this test's database only: every connection to it is cut (this
    process's too), and new ones are refused for `refuse_seconds`; other databases are not disturbed."""
    import psycopg

    settings = connection.settings_dict
    name = settings["NAME"]
    connection.close()
    server = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']} dbname=postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            time.sleep(refuse_seconds)  # the outage itself
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


FAULTS = ["API 500 burst", "API 429 burst", "watches dropped", "410 Gone", "Job deleted", "Job deleted"]
"""The faults drawn at random once each has happened once (deleted Jobs twice as often)."""


def fault(
    rng: random.Random, kind: str, cluster: LocalCluster, api: client.ApiClient, real_restart: bool, log: Log
) -> bool:
    """Do one fault of `kind`; False if there was nothing to do it to."""
    if kind.startswith("API"):
        cluster.faults.add(status=int(kind.split()[1]), count=rng.randint(5, 30))
    elif kind == "watches dropped":
        cluster.faults.drop_watches()
    elif kind == "410 Gone":
        cluster.call(cluster.store.compact)  # the history is gone: resuming a watch answers 410
        cluster.faults.drop_watches()
    elif kind == "Job deleted":
        try:
            running = [j.metadata.name for j in jobs(api) if j.status.active]
            if not running:
                return False
            name = rng.choice(running)
            client.BatchV1Api(api).delete_namespaced_job(name, NAMESPACE, propagation_policy="Background")
        except client.ApiException:  # the injected faults answer the test's requests too
            return False
        kind = "Job deleted behind the operator's back"
    elif kind == "database":
        if real_restart:
            restart_database()
            kind = "database restart"
        else:
            cut_database_connections(3.0)
            kind = "database outage (connections cut, new ones refused for 3 s)"
        connection.close()
    log(kind)
    return True


def unfinished(ids: list[str]) -> int:
    for _ in range(50):
        try:
            return TaskRecord.objects.filter(pk__in=ids).exclude(status__in=["SUCCESSFUL", "FAILED"]).count()
        except OperationalError:  # the database is restarting: ask again
            connection.close()
            time.sleep(0.2)
    raise AssertionError("the database did not come back")


def run(
    *,
    size: Size,
    seed: int,
    operator: Operator,
    cluster: LocalCluster,
    api: client.ApiClient,
    ledger: Path,
    real_restart: bool,
) -> tuple[list[str], Log]:
    """Run the chaos; returns the ids of every task and what was done to them."""
    rng = random.Random(seed)
    log = Log()
    ids, to_cancel = enqueue(rng, ledger, size.tasks)
    must = ["API 500 burst", "API 429 burst", "watches dropped", "410 Gone", "Job deleted"]
    if connection.vendor == "postgresql":
        must.append("database")
    rng.shuffle(must)
    operator.start()
    while log.counts.get("operator SIGKILL", 0) < size.kills or must:
        assert unfinished(ids), f"every task finished before the chaos was through ({log.counts}): more tasks"
        time.sleep(rng.uniform(0.05, size.pause))  # the instants are the point: random
        roll = rng.random()
        if roll < 0.5:
            operator.kill()
            log("operator SIGKILL")
            operator.start()
        elif roll < 0.6 and to_cancel:
            k8s_tasks.cancel(to_cancel.pop())
            log("cancel")
        elif must:
            kind = must.pop()
            if not fault(rng, kind, cluster, api, real_restart, log):
                must.insert(0, kind)  # nothing to do it to right now (no Job running): later
        else:
            fault(rng, rng.choice(FAULTS), cluster, api, real_restart, log)
    cluster.faults.clear()
    for task_id in to_cancel:  # every cancel is carried out, even the ones the faults left no time for
        k8s_tasks.cancel(task_id)
        log("cancel")
    return ids, log
