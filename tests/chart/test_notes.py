"""NOTES.txt, printed by `helm install`: the kubectl commands to watch the work, and warnings."""

from __future__ import annotations

from .helm import CHART, helm


def notes(*sets: str) -> str:
    args = ["install", "rel", str(CHART), "--dry-run=client", "--namespace", "tasks"]
    for item in sets:
        args += ["--set", item]
    done = helm(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("NOTES:", 1)[1]


def test_notes_show_how_to_watch_the_work() -> None:
    text = notes("database.existingSecret=db", "queues.gpu.concurrency=1")
    assert "dispatches 2 queue(s): default, gpu." in text
    for command in (
        "kubectl -n tasks get taskqueues",
        "kubectl -n tasks get jobs -l k8stasks.io/queue=<queue>",
        "kubectl -n tasks describe job <job>",
        "kubectl -n tasks logs job/<job>",
        "kubectl -n tasks describe taskqueue <queue>",
    ):
        assert command in text
    assert "WARNING" not in text


def test_notes_warn_without_a_database_secret_and_mention_migrations() -> None:
    text = notes()
    assert "WARNING: database.existingSecret is empty" in text
    assert "django-admin migrate" in text
    assert "django-admin migrate" not in notes("database.existingSecret=db", "migrations.enabled=true")
