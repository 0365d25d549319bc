"""insert_rows stores exactly what bulk_create stores, every column, on SQLite and PostgreSQL."""

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from k8s_tasks.inserting import insert_rows
from k8s_tasks.models import TaskRecord, new_id

pytestmark = pytest.mark.django_db

VARYING = ("id", "args", "kwargs")
ARGUMENTS = [([], {}), ([1, "two", [3.5, None]], {"k": {"nested": [True, False]}}), (["é ✓ '\""], {"x": 1})]


def shared() -> dict[str, Any]:
    return {
        "task_path": "tests.tasks.add",
        "queue_name": "gpu",
        "backend_name": "default",
        "priority": -7,
        "run_after": timezone.now() + timedelta(minutes=5),
        "status": "READY",
        "enqueued_at": timezone.now(),
    }


def stored(ids: list[str]) -> list[dict[str, Any]]:
    """Every column of the rows, read back through the ORM, without the ids, in the order of ``ids``."""
    by_id = {row.pop("id"): row for row in TaskRecord.objects.filter(pk__in=ids).values()}
    return [by_id[pk] for pk in ids]


def both_ways(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same ``count`` rows stored by insert_rows and by bulk_create."""
    values = shared()
    calls = [ARGUMENTS[i % len(ARGUMENTS)] for i in range(count)]
    ours = [(new_id(), args, kwargs) for args, kwargs in calls]
    insert_rows("default", TaskRecord, values, VARYING, ours)
    theirs = [TaskRecord(**values, args=args, kwargs=kwargs) for args, kwargs in calls]
    TaskRecord.objects.bulk_create(theirs)
    return stored([pk for pk, _, _ in ours]), stored([record.id for record in theirs])


@pytest.mark.parametrize("count", [1, 7])
def test_rows_read_back_equal_to_bulk_create(count: int) -> None:
    ours, theirs = both_ways(count)
    assert len(ours) == count and ours == theirs
    assert len(TaskRecord._meta.concrete_fields) == len(ours[0]) + 1  # every column was compared


def test_run_after_none_and_defaults_equal_to_bulk_create() -> None:
    values = {**shared(), "run_after": None}
    ours = new_id()
    insert_rows("default", TaskRecord, values, VARYING, [(ours, [1], {})])
    theirs = TaskRecord.objects.create(**values, args=[1], kwargs={})
    assert stored([ours]) == stored([theirs.id])


def test_several_rows_are_one_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        insert_rows("default", TaskRecord, shared(), VARYING, [(new_id(), [i], {}) for i in range(500)])
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert TaskRecord.objects.count() == 500


@pytest.fixture
def sqlite_variable_limit() -> Iterator[int]:
    """A lowered SQLite limit of query parameters: 2 rows per statement."""
    if connection.vendor != "sqlite":
        pytest.skip("batches by parameter count happen on SQLite; PostgreSQL sends arrays (UNNEST)")
    connection.ensure_connection()
    raw = connection.connection
    shared_columns = len(TaskRecord._meta.concrete_fields) - len(VARYING)  # passed once per statement
    old = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, shared_columns + 2 * len(VARYING))
    yield 2
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, old)


def test_batches_share_one_transaction(sqlite_variable_limit: int, transactional_db: None) -> None:
    rows = [(new_id(), [i], {}) for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        insert_rows("default", TaskRecord, shared(), VARYING, rows)
    assert sum(q["sql"].startswith("INSERT") for q in queries.captured_queries) == 3
    assert sorted(TaskRecord.objects.values_list("args", flat=True)) == [[i] for i in range(5)]
    with pytest.raises(IntegrityError):  # the last batch fails: the earlier ones roll back with it
        insert_rows(
            "default", TaskRecord, shared(), VARYING, [*((new_id(), [9], {}) for _ in range(4)), rows[0]]
        )
    assert TaskRecord.objects.count() == 5


def test_the_primary_key_must_vary() -> None:
    with pytest.raises(ValueError, match="primary key"):
        insert_rows("default", TaskRecord, shared(), ("args", "kwargs"), [([], {})])
    with pytest.raises(ValueError, match="no fields nope"):
        insert_rows("default", TaskRecord, {"nope": 1}, VARYING, [(new_id(), [], {})])
