"""The operator bounds SQLite's page cache on each of its connections (its worker threads each hold one)."""

import sqlite3
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created

from k8s_tasks_operator.db import SQLITE_CACHE_KIB, bound_sqlite_page_cache


class FakeVendor:
    """A connection of another vendor: left alone."""

    vendor = "postgresql"

    def cursor(self) -> None:
        raise AssertionError("no PRAGMA for a database that is not SQLite")


def test_each_new_sqlite_connection_gets_the_smaller_cache(tmp_path: Path, django_db_blocker: Any) -> None:
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings = {**connection.settings_dict, "NAME": str(tmp_path / "db.sqlite3"), "OPTIONS": {}}
    wrapper = DatabaseWrapper({**settings, "ENGINE": "django.db.backends.sqlite3"}, alias="probe")
    connection_created.connect(bound_sqlite_page_cache)
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -SQLITE_CACHE_KIB
    finally:
        connection_created.disconnect(bound_sqlite_page_cache)
        wrapper.close()
    plain = sqlite3.connect(tmp_path / "db.sqlite3")
    assert plain.execute("PRAGMA cache_size").fetchone()[0] == -2000  # SQLite's default, for comparison
    plain.close()
    bound_sqlite_page_cache(None, FakeVendor())
