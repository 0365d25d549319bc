"""Many rows in one SQL statement (INSERT ... SELECT over a generated series), for both backends' tables.

The ORM would take minutes for 200k rows on this machine; one statement takes seconds. Rows are exactly
what each backend's enqueue would store for a no-op task with no arguments.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from k8s_tasks.models import TaskRecord

OURS_TASK = "bench.tasks.noop"
PEER_TASK = "bench.tasks.peer_noop"


def _series(count: int) -> tuple[str, str, str]:
    """(WITH prefix, FROM clause, id expression) generating `count` rows on this database."""
    if connection.vendor == "postgresql":
        return "", f"generate_series(1, {int(count)}) AS s(i)", "gen_random_uuid()"
    prefix = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count)}) "
    return prefix, "s", "lower(hex(randomblob(16)))"


def _json(value: str) -> str:
    return f"'{value}'::jsonb" if connection.vendor == "postgresql" else f"'{value}'"


def insert_ours(count: int, *, status: str = "READY", queue: str = "default") -> datetime:
    """`count` rows of bench.tasks.noop; finished ones have started/finished times. Returns enqueued_at."""
    now = timezone.now()
    prefix, source, new_id = _series(count)
    if connection.vendor == "postgresql":
        new_id += "::text"
    finished = status in ("SUCCESSFUL", "FAILED")
    table = TaskRecord._meta.db_table
    sql = (
        f"{prefix}INSERT INTO {table} (id, task_path, queue_name, backend_name, priority, run_after, args, "
        "kwargs, status, return_value, errors, enqueued_at, started_at, finished_at, last_attempted_at, "
        "worker_ids, attempt, infra_retries, job_name, job_namespace, dispatched_at, reason, "
        f"cancel_requested, log_tail, retried_from, retried_as) SELECT {new_id}, %s, %s, 'default', 0, NULL, "
        f"{_json('[]')}, {_json('{}')}, %s, NULL, {_json('[]')}, %s, %s, %s, %s, {_json('[]')}, 1, 0, "
        f"'', '', %s, '', %s, '', '', '' FROM {source}"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    done = stamp if finished else None
    params = [OURS_TASK, queue, status, stamp, done, done, done, done, False]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return now


def insert_peer(count: int, *, status: str = "READY") -> datetime:
    """`count` django-tasks-db rows of bench.tasks.peer_noop. Returns enqueued_at."""
    now = timezone.now()
    prefix, source, new_id = _series(count)
    finished = status in ("SUCCESSFUL", "FAILED")
    table = DBTaskResult._meta.db_table
    sql = (
        f"{prefix}INSERT INTO {table} (id, status, enqueued_at, started_at, finished_at, args_kwargs, "
        "priority, task_path, worker_ids, queue_name, backend_name, run_after, return_value, "
        f"exception_class_path, traceback) SELECT {new_id}, %s, %s, %s, %s, "
        f"{_json('{"args": [], "kwargs": {}}')}, 0, %s, {_json('[]')}, 'default', 'peer', %s, NULL, '', '' "
        f"FROM {source}"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    done = stamp if finished else None
    never = connection.ops.adapt_datetimefield_value(get_date_max())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [status, stamp, done, done, PEER_TASK, never])
    return now


def clear() -> None:
    """Empty both tables."""
    tables = [model._meta.db_table for model in (TaskRecord, DBTaskResult)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")  # DELETE of 200k rows takes seconds
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def keep_only(ours_enqueued_at: datetime, peer_enqueued_at: datetime) -> tuple[int, int]:
    """Delete every row but those of one insert_ours / insert_peer call (told by their enqueued_at), so
    a table of finished rows serves every repetition. Returns the rows left in (ours, the peer's)."""
    with transaction.atomic():
        TaskRecord.objects.exclude(enqueued_at=ours_enqueued_at).delete()
        DBTaskResult.objects.exclude(enqueued_at=peer_enqueued_at).delete()
    return TaskRecord.objects.count(), DBTaskResult.objects.count()


def analyze() -> None:
    """PostgreSQL: fresh planner statistics for both tables after a bulk insert, so the first repetition
    over it plans as the later ones do (autovacuum would get to it at some unknown time)."""
    if connection.vendor == "postgresql":
        tables = [model._meta.db_table for model in (TaskRecord, DBTaskResult)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
