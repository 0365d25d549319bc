"""The database's clock: every time comparison of k8s-tasks (run_after, backoff, pending limits, claim ages)
uses it, never the clock of the process that compares, so operators, pods and web processes whose clocks
disagree still agree on what is due.
"""

from datetime import UTC, datetime

from django.db import connections
from django.utils import timezone


def database_now(using: str = "default") -> datetime:
    """The current time by the database `using` (an aware UTC datetime).

    PostgreSQL: ``now()``, which inside a transaction (an atomic block) is the transaction's start time.
    SQLite: the database is a file, so its clock is this machine's (``strftime('now')``, milliseconds).
    Other databases: this process's clock.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        sql = "SELECT now()"
    elif connection.vendor == "sqlite":
        sql = "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"
    else:
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        value = cursor.fetchone()[0]
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
