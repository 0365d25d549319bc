"""Many processes enqueueing at once on PostgreSQL: no row lost, none duplicated; NOTIFY on commit."""

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from k8s_tasks.conf import NOTIFY_CHANNEL
from k8s_tasks.models import TaskRecord
from tests import tasks

PROCESSES, PER_PROCESS = 8, 500


@pytest.mark.postgres_only
def test_8_processes_enqueue_500_each_and_none_is_lost(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.backend.enqueue_worker", str(PER_PROCESS), str(go), f"p{n}"],
            env=subprocess_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    go.touch()
    for child in children:
        stdout, stderr = child.communicate(timeout=240)
        assert child.returncode == 0, stderr
        assert stdout.strip() == str(PER_PROCESS)
    assert TaskRecord.objects.count() == PROCESSES * PER_PROCESS
    stored = [tuple(args) for args in TaskRecord.objects.values_list("args", flat=True).iterator()]
    expected = {(f"p{n}", i) for n in range(PROCESSES) for i in range(PER_PROCESS)}
    assert len(set(stored)) == len(stored) and set(stored) == expected
    assert TaskRecord.objects.values("id").distinct().count() == PROCESSES * PER_PROCESS


def _listener() -> psycopg.Connection:
    settings = connection.settings_dict
    listener = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )
    listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
    return listener


@pytest.mark.postgres_only
def test_enqueue_notifies_the_queue_name_when_the_transaction_commits(transactional_db: None) -> None:
    with _listener() as listener:
        with transaction.atomic():
            tasks.on_gpu.enqueue()
            assert list(listener.notifies(timeout=0.2)) == []  # not before commit
        [note] = list(listener.notifies(timeout=5, stop_after=1))
        assert (note.channel, note.payload) == (NOTIFY_CHANNEL, "gpu")
        with transaction.atomic():
            tasks.add.enqueue(1, 2)
            transaction.set_rollback(True)
        assert list(listener.notifies(timeout=0.2)) == []  # rolled back: no row, no notification
