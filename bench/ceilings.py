"""The two ceilings our rates are compared with, measured in the same run as them:

- bare INSERTs: a single-row INSERT loop, autocommit, through psycopg (PostgreSQL) or sqlite3 (SQLite)
  directly, into a table made fresh in the benchmark database with the same columns, types and indexes as
  k8s_tasks_taskrecord (copied from the database's own catalog, then compared with it), as many rows as
  our sequential enqueue makes, each the row such an enqueue stores;
- bare Job creates: BatchV1Api.create_namespaced_job from one thread against a fresh local cluster
  (bench.cluster_proc, as the dispatch run's), the manifest the operator builds for a task
  (k8s_tasks_operator.dispatch.manifest_for, the dispatch run's queue profile), unique names, the body read
  as bytes (`_preload_content=False`, as the operator's own client calls: no model objects built).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from kubernetes import client

from k8s_tasks.models import TaskRecord, new_id
from k8s_tasks.profiles import parse_profile
from k8s_tasks_operator.config import OperatorConfig
from k8s_tasks_operator.dispatch import manifest_for
from k8s_tasks_operator.queues import QueueState
from k8s_tasks_operator.runtime import Runtime

from .context import Context
from .ddl import index_shape, insert_sql, sqlite_copy
from .procs import NAMESPACE

BARE_TABLE = "bench_bare_taskrecord"
QUEUE_SPEC = {"concurrency": 10_000, "nodeSelector": {"pool": "general"}}  # the dispatch run's queue


# -- bare INSERTs ---------------------------------------------------------------------------------------


def shape(cursor: Any, vendor: str, table: str) -> tuple[list[tuple[Any, ...]], list[str]]:
    """(columns as (name, type, not null), sorted index shapes) of a table, from the catalog."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT column_name, data_type, character_maximum_length, is_nullable "
            "FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        columns = [tuple(r) for r in cursor.fetchall()]
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return columns, sorted(index_shape(r[0]) for r in cursor.fetchall())
    cursor.execute(f'PRAGMA table_info("{table}")')
    columns = [(r[1], r[2], r[3], r[5]) for r in cursor.fetchall()]
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
    indexes = sorted(index_shape(r[0]) if r[0] else "automatic (primary key)" for r in cursor.fetchall())
    return columns, indexes


def create_bare_table(db: BaseDatabaseWrapper) -> None:
    """BARE_TABLE, fresh, shaped as TaskRecord's table; SystemExit if the copy differs in any column or
    index (the trigger NOTIFYing the operator on PostgreSQL is not copied: a table's, not an index)."""
    table = TaskRecord._meta.db_table
    with db.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{BARE_TABLE}"')
        if db.vendor == "postgresql":
            cursor.execute(f'CREATE TABLE "{BARE_TABLE}" (LIKE "{table}" INCLUDING ALL)')
        else:
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type = 'index'",
                [table],
            )
            for statement in sqlite_copy(cursor.fetchall(), table, BARE_TABLE):
                cursor.execute(statement)
        ours, bare = shape(cursor, db.vendor, table), shape(cursor, db.vendor, BARE_TABLE)
    if ours != bare:
        raise SystemExit(f"benchmark: {BARE_TABLE} is not shaped as {table}:\n{bare}\n!=\n{ours}")


def drop_bare_table(db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{BARE_TABLE}"')


def row_values(i: int, now: Any) -> dict[str, Any]:
    """The row our enqueue of bench.tasks.noop(i) stores, column by column (JSON as text)."""
    return {
        "id": new_id(),
        "task_path": "bench.tasks.noop",
        "queue_name": "default",
        "backend_name": "default",
        "priority": 0,
        "run_after": None,
        "args": json.dumps([i]),
        "kwargs": "{}",
        "status": "READY",
        "return_value": None,
        "errors": "[]",
        "enqueued_at": now,
        "started_at": None,
        "finished_at": None,
        "last_attempted_at": None,
        "worker_ids": "[]",
        "attempt": 1,
        "infra_retries": 0,
        "job_name": "",
        "job_namespace": "",
        "dispatched_at": None,
        "reason": "",
        "cancel_requested": False,
        "log_tail": "",
        "retried_from": "",
        "retried_as": "",
    }


def columns() -> list[str]:
    """TaskRecord's columns; SystemExit if row_values does not fill exactly these."""
    names = [str(field.column) for field in TaskRecord._meta.concrete_fields]
    if sorted(names) != sorted(row_values(0, None)):
        raise SystemExit(f"benchmark: row_values() does not match TaskRecord's columns {names}")
    return names


def _postgres_loop(settings: dict[str, Any], count: int) -> float:
    import psycopg

    names = columns()
    sql = insert_sql(BARE_TABLE, names, "%s")
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as conn:
        started = time.perf_counter()
        for i in range(count):
            values = row_values(i, datetime.now(UTC))
            conn.execute(sql, [values[n] for n in names])  # type: ignore[arg-type]
        return count / (time.perf_counter() - started)


def _sqlite_loop(path: str, count: int) -> float:
    import sqlite3

    names = columns()
    sql = insert_sql(BARE_TABLE, names, "?")
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)  # autocommit
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # as the benchmark's Django connection (and the file) has it
        started = time.perf_counter()
        for i in range(count):
            values = row_values(i, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
            conn.execute(sql, [values[n] for n in names])
        return count / (time.perf_counter() - started)
    finally:
        conn.close()


def bare_inserts(count: int) -> float:
    """Rows/s of `count` single-row autocommit INSERTs into a fresh copy of our table (dropped after)."""
    create_bare_table(connection)
    try:
        if connection.vendor == "postgresql":
            return _postgres_loop(connection.settings_dict, count)
        return _sqlite_loop(connection.settings_dict["NAME"], count)
    finally:
        drop_bare_table(connection)


# -- bare Job creates -----------------------------------------------------------------------------------


def manifests(count: int) -> dict[str, dict[str, Any]]:
    """`count` Job manifests for new task ids, as the operator builds them (by task id)."""
    runtime = Runtime(config=OperatorConfig(namespace=NAMESPACE, settings_module="bench.settings"))
    queue = QueueState("default", "default", 1, profile=parse_profile("default", QUEUE_SPEC))
    out = {}
    for _ in range(count):
        row = TaskRecord(
            id=new_id(), task_path="bench.tasks.noop", queue_name="default", backend_name="default"
        )
        out[row.id] = manifest_for(runtime, queue, row)
    return out


def creates_run(ctx: Context) -> dict[str, float]:
    """A fresh cluster; the sizes' `dispatch` Jobs created one after the other. {"rate": Jobs/s from the
    first request to the last Job's ADDED event in the cluster (the end our dispatch_rate uses),
    "answered_rate": to the last answer}."""
    count = ctx.sizes.dispatch
    bodies = manifests(count)  # built before the clock starts: the ceiling is the API's
    with ctx.cluster("bare") as cluster:
        api: Any = client.BatchV1Api(cluster.api)  # its stubs type the body and answer as models, not JSON
        started = time.time()
        for body in bodies.values():
            response = api.create_namespaced_job(NAMESPACE, body, _preload_content=False)
            response.read()
            response.release_conn()
            if response.status != 201:
                raise SystemExit(
                    f"benchmark: a bare Job create answered {response.status}: {response.data!r}"
                )
        answered = time.time()
        stamps = cluster.created(set(bodies), timeout=120, what=f"the {count} bare Jobs")
    last = max(stamps[task_id] for task_id in bodies)
    return {"rate": count / (last - started), "answered_rate": count / (answered - started)}
