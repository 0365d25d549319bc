"""database_now: the database's clock, an aware UTC datetime, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from k8s_tasks import clock
from k8s_tasks.clock import database_now


def test_database_now_is_aware_utc_and_agrees_with_this_machine(transactional_db: None) -> None:
    before = datetime.now(UTC)
    now = database_now()
    after = datetime.now(UTC)
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    # The database runs on this machine: the same clock, within SQLite's millisecond precision.
    assert before - timedelta(milliseconds=2) <= now <= after + timedelta(milliseconds=2)


def test_database_now_does_not_read_this_processs_clock(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real() + timedelta(seconds=700))
    assert abs(database_now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_database_now_is_the_transaction_start_on_postgresql(transactional_db: None) -> None:
    with transaction.atomic():
        first = database_now()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.01)" if connection.vendor == "postgresql" else "SELECT 1")
        second = database_now()
    if connection.vendor == "postgresql":
        assert first == second  # now() is the time the transaction began
    else:
        assert first <= second


def test_other_databases_fall_back_to_this_processs_clock(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(clock.timezone, "now", lambda: fixed)
    with (
        monkeypatch.context() as patch
    ):  # undone before the database is flushed (Django 5.2 flushes by vendor)
        patch.setattr(connection, "vendor", "oracle")
        assert database_now() == fixed
