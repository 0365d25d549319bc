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


def test_notes_say_how_isolated_queues_are_isolated() -> None:
    assert "Isolated queues" not in notes("database.existingSecret=db")
    text = notes(
        "database.existingSecret=db", "queues.sandbox.network=isolated", "queues.scan.network=isolated"
    )
    assert "Isolated queues (sandbox, scan) run sealed" in text
    assert "hold no database credentials" in text and "they need none" in text
    assert "NetworkPolicy of its own, k8s-tasks-isolate-<queue>: no\ningress, no egress" in text
    assert "The chart renders none" in text
    assert "enforced only if the cluster's network\nplugin enforces NetworkPolicies" in text
    assert "kubectl -n tasks get networkpolicies -l app.kubernetes.io/managed-by=k8s-tasks" in text
    # isolated through queueDefaults counts too
    text = notes("queueDefaults.network=isolated")
    assert "Isolated queues (default) run sealed" in text


def test_notes_warn_when_task_pods_are_held_to_a_relaxed_pod_security_level() -> None:
    assert "Pod Security" not in notes("database.existingSecret=db")
    text = notes("database.existingSecret=db", "operator.podSecurity=baseline")
    assert 'WARNING: task pods are held to Pod Security "baseline", not "restricted"' in text
    assert "every TaskQueue's status shows it" in text
    assert ".status.podSecurity" in text
