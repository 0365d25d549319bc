"""PostgreSQL: the INSERT trigger (migration 0003) NOTIFYs each queue of READY rows, once per statement."""

import importlib
from collections.abc import Iterator

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from k8s_tasks.bulk import enqueue_many
from k8s_tasks.conf import NOTIFY_CHANNEL
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.postgres_only
migration = importlib.import_module("k8s_tasks.migrations.0003_notify_trigger")


@pytest.fixture
def listener(transactional_db: None) -> Iterator[psycopg.Connection]:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        yield conn


def payloads(listener: psycopg.Connection, expected: int) -> list[str]:
    """The next ``expected`` notifications (waiting up to 5 s), then any more that come within 0.2 s."""
    notes = list(listener.notifies(timeout=5, stop_after=expected)) if expected else []
    notes += listener.notifies(timeout=0.2)
    return [note.payload for note in notes if note.channel == NOTIFY_CHANNEL]


def test_one_notification_per_statement_and_queue_for_ready_rows_only(listener: psycopg.Connection) -> None:
    enqueue_many(tasks.add, [((i, i), {}) for i in range(50)])
    assert payloads(listener, 1) == ["default"]
    TaskRecord.objects.bulk_create(
        [
            TaskRecord(task_path="tests.tasks.add", queue_name="gpu", backend_name="default"),
            TaskRecord(task_path="tests.tasks.add", queue_name="highmem", backend_name="default"),
            TaskRecord(task_path="tests.tasks.add", queue_name="gpu", backend_name="default"),
            TaskRecord(
                task_path="tests.tasks.add", queue_name="sandbox", backend_name="default", status="FAILED"
            ),
        ]
    )
    assert sorted(payloads(listener, 2)) == ["gpu", "highmem"]


def test_the_migration_reverses_and_reapplies(listener: psycopg.Connection) -> None:
    with connection.schema_editor() as editor:
        migration.drop_trigger(apps, editor)
    try:
        tasks.add.enqueue(1, 2)
        assert payloads(listener, 0) == []  # the trigger is gone
    finally:
        with connection.schema_editor() as editor:
            migration.create_trigger(apps, editor)
    tasks.on_gpu.enqueue()
    assert payloads(listener, 1) == ["gpu"]
