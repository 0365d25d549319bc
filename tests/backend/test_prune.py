"""manage.py k8s_tasks_prune: finished rows past an age go, in batches (each its own transaction, keyset on
finished_at), with progress; READY and RUNNING rows never do."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from k8s_tasks.bulk import enqueue_many
from k8s_tasks.durations import format_age, parse_age
from k8s_tasks.models import TaskRecord
from k8s_tasks.pruning import prune_batches
from tests import tasks


def make(count: int, status: str, days_ago: float | None, queue: str = "default") -> list[str]:
    """`count` rows in `status`, finished `days_ago` (None: not finished)."""
    ids = [
        r.id for r in enqueue_many(tasks.add.using(queue_name=queue), [((n, n), {}) for n in range(count)])
    ]
    finished_at = None if days_ago is None else timezone.now() - timedelta(days=days_ago)
    TaskRecord.objects.filter(pk__in=ids).update(status=status, finished_at=finished_at)
    return ids


def prune(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", "k8s_tasks_prune", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_prune_deletes_old_finished_rows_in_batches_and_nothing_else(subprocess_env: dict[str, str]) -> None:
    old_ok = make(25, "SUCCESSFUL", 40)
    old_failed = make(12, "FAILED", 31)
    recent = make(5, "FAILED", 2)
    # READY and RUNNING rows with an old finished_at (as no real row has): still never deleted
    ready = make(3, "READY", 90)
    running = make(3, "RUNNING", 90)
    dry = prune(subprocess_env, "--older-than", "30d", "--batch-size", "10", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "  would delete 37 (total 37; finished up to " in dry.stdout  # counted in one query
    assert "database default: would delete 37 tasks in" in dry.stdout
    assert TaskRecord.objects.count() == 48
    done = prune(subprocess_env, "--older-than", "30d", "--batch-size", "10")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("database default: deleting SUCCESSFUL and FAILED tasks that finished before ")
    assert lines[0].endswith("UTC (older than 30d), 10 per batch")
    assert [line.split(" (")[0].strip() for line in lines[1:5]] == [
        "deleted 10",
        "deleted 10",
        "deleted 10",
        "deleted 7",
    ]
    assert "rows/s)" in lines[1] and lines[-1].startswith("database default: deleted 37 tasks in ")
    left = set(TaskRecord.objects.values_list("pk", flat=True))
    assert left == set(recent + ready + running)
    assert not left & set(old_ok + old_failed)


def test_status_filter_and_refusals(subprocess_env: dict[str, str]) -> None:
    ok = make(4, "SUCCESSFUL", 10)
    bad = make(4, "FAILED", 10)
    done = prune(subprocess_env, "--older-than", "1w", "--status", "failed", "--batch-size", "3")
    assert done.returncode == 0, done.stderr
    assert "deleting FAILED tasks" in done.stdout and "deleted 4 tasks" in done.stdout
    assert set(TaskRecord.objects.values_list("pk", flat=True)) == set(ok)
    assert not TaskRecord.objects.filter(pk__in=bad).exists()
    refused = prune(subprocess_env, "--older-than", "1w", "--status", "RUNNING")
    assert refused.returncode == 2 and "invalid choice: 'RUNNING'" in refused.stderr
    assert prune(subprocess_env, "--older-than", "0d").returncode == 2
    assert prune(subprocess_env).returncode == 2  # --older-than is required
    assert TaskRecord.objects.count() == 4


@pytest.mark.django_db
def test_each_batch_is_one_select_and_one_delete_from_the_last_finished_at_on() -> None:
    tied = make(25, "FAILED", 6)  # one finished_at for all: batches end inside the tie
    make(7, "SUCCESSFUL", 5)
    before = timezone.now() - timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        [dry] = prune_batches("default", before, statuses=["FAILED"], batch_size=10, dry_run=True)
    assert dry.rows == dry.total == 25 and TaskRecord.objects.count() == 32
    assert sum(q["sql"].startswith("SELECT COUNT") for q in queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        batches = list(prune_batches("default", before, statuses=["FAILED"], batch_size=10))
    assert [b.rows for b in batches] == [10, 10, 5] and batches[-1].total == 25
    assert not TaskRecord.objects.filter(pk__in=tied).exists() and TaskRecord.objects.count() == 7
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(selects) == 3 and len(deletes) == 3
    # from the last finished_at on, ordered by it alone (both databases read the index in order and stop)
    assert '"finished_at" >= ' in selects[1] and selects[1].endswith("ORDER BY 1 ASC LIMIT 10")
    assert sum(b.rows for b in prune_batches("default", before, batch_size=4)) == 7
    with pytest.raises(ValueError, match="only finished tasks are deleted"):
        next(prune_batches("default", before, statuses=["READY"]))


def test_ages() -> None:
    assert parse_age("30d") == timedelta(days=30) and parse_age("90s") == timedelta(seconds=90)
    assert parse_age("2h") == timedelta(hours=2) and parse_age(" 2W ") == timedelta(weeks=2)
    for bad in ("", "30", "d", "0m", "1.5h", "-1d", "1y"):
        with pytest.raises(ValueError, match="not an age"):
            parse_age(bad)
    assert format_age(timedelta(days=30)) == "30d" and format_age(timedelta(minutes=90)) == "90m"
