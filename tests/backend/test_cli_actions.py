"""`python -m k8s_tasks cancel | retry | show | status` and their manage.py twins, as real subprocesses:
one line per id, exit codes, every field, filters, whole reasons."""

import subprocess
import sys

import pytest

from k8s_tasks.models import TaskRecord
from tests import tasks

LONG_REASON = (
    "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node "
    "affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
)


def cli(env: dict[str, str], *args: str, manage: str = "") -> subprocess.CompletedProcess[str]:
    command = ["-m", "django", manage] if manage else ["-m", "k8s_tasks"]
    return subprocess.run(
        [sys.executable, *command, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def failed(result_id: str) -> TaskRecord:
    record = TaskRecord.objects.get(pk=result_id)
    record.set_running("task-pod-1", 1)
    record.set_failed(
        "builtins.ValueError",
        'Traceback (most recent call last):\n  File "t.py", line 1\nValueError: x\n',
        "ValueError: x",
        attempt=1,
        log_tail="step 1\nstep 2\n",
    )
    return record


@pytest.mark.parametrize("manage", ["", "k8s_tasks_cancel"])
def test_cancel_says_what_happened_to_each_id(subprocess_env: dict[str, str], manage: str) -> None:
    queued = tasks.add.enqueue(1, 1)
    running = tasks.add.enqueue(2, 2)
    TaskRecord.objects.claim("default", 2, namespace="n", job_name=lambda i, a: f"task-{i}-{a}")
    TaskRecord.objects.filter(pk=queued.id).update(dispatched_at=None, job_name="")  # not dispatched
    TaskRecord.objects.get(pk=running.id).set_running("pod", 1)
    done = failed(tasks.add.enqueue(3, 3).id)
    args = [queued.id, running.id, done.pk] if manage else ["cancel", queued.id, running.id, done.pk]
    out = cli(subprocess_env, *args, manage=manage)
    assert out.returncode == 1, out.stderr  # one had finished already
    assert out.stdout.splitlines() == [
        f"{queued.id}: cancelled (it had not started; FAILED with TaskCancelled)",
        f"{running.id}: cancel requested: the operator deletes Job task-{running.id}-1, then records "
        "FAILED (TaskCancelled)",
        f"{done.pk}: already finished (FAILED): nothing to cancel",
    ]
    assert TaskRecord.objects.get(pk=queued.id).status == "FAILED"
    assert TaskRecord.objects.get(pk=running.id).cancel_requested
    prefix = [] if manage else ["cancel"]
    assert cli(subprocess_env, *prefix, tasks.add.enqueue(4, 4).id, manage=manage).returncode == 0
    unknown = cli(subprocess_env, *prefix, "nope", manage=manage)
    assert (unknown.returncode, unknown.stdout) == (2, "nope: no such task\n")


@pytest.mark.parametrize("manage", ["", "k8s_tasks_retry"])
def test_retry_says_what_happened_to_each_id(subprocess_env: dict[str, str], manage: str) -> None:
    done = failed(tasks.add.enqueue(1, 2).id)
    waiting = tasks.add.enqueue(3, 4)
    args = [done.pk, waiting.id, "nope"] if manage else ["retry", done.pk, waiting.id, "nope"]
    out = cli(subprocess_env, *args, manage=manage)
    assert out.returncode == 2, out.stderr  # an unknown id
    new_id = TaskRecord.objects.get(pk=done.pk).retried_as
    assert new_id and out.stdout.splitlines() == [
        f"{done.pk}: re-run as {new_id}",
        f"{waiting.id}: not re-run: task {waiting.id} is READY: only a finished task is run again (cancel it "
        "first, or wait for it to end)",
        "nope: no such task",
    ]
    again = cli(subprocess_env, *([] if manage else ["retry"]), done.pk, manage=manage)
    assert again.returncode == 1
    assert (
        again.stdout == f"{done.pk}: not re-run: task {done.pk} was already run again as {new_id}: run "
        "that one again instead\n"
    )


@pytest.mark.parametrize("manage", ["", "k8s_tasks_show"])
def test_show_prints_every_field_errors_and_the_log_tail(subprocess_env: dict[str, str], manage: str) -> None:
    record = failed(tasks.echo.using(priority=5).enqueue("a", k=1).id)
    TaskRecord.objects.filter(pk=record.pk).update(
        reason=LONG_REASON, job_name="task-x-1", job_namespace="ns"
    )
    env = {**subprocess_env, "KUBECONFIG": "/nonexistent/kubeconfig"}
    out = cli(env, *([] if manage else ["show"]), record.pk, manage=manage)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for field in (
        f"id                      {record.pk}",
        "task                    tests.tasks.echo",
        "status                  FAILED",
        "priority                5",
        "attempt                 1",
        "job                     task-x-1",
        "job namespace           ns",
        "pods                    task-pod-1",
        "retried as              -",
    ):
        assert field in text, field
    assert f"reason:\n  {LONG_REASON}\n" in text  # whole, not cut
    assert 'args   ["a"]' in text and 'kwargs {"k": 1}' in text
    assert "errors (1):\n  1. builtins.ValueError\n     Traceback (most recent call last):" in text
    assert "kubernetes:\n  cluster not reachable: no cluster configuration" in text
    assert text.endswith("log tail (14 bytes, stored when the task ended):\n  step 1\n  step 2\n")
    offline = cli(subprocess_env, *([] if manage else ["show"]), record.pk, "--no-cluster", manage=manage)
    assert "kubernetes:\n  not asked (--no-cluster)" in offline.stdout
    unknown = cli(subprocess_env, *([] if manage else ["show"]), "nope", manage=manage)
    assert (unknown.returncode, unknown.stdout) == (2, "nope: no such task\n")


def test_status_filters_and_shows_whole_reasons_wrapped(subprocess_env: dict[str, str]) -> None:
    gpu = tasks.on_gpu.enqueue()
    TaskRecord.objects.get(pk=gpu.id).set_pending_reason(LONG_REASON, attempt=1)
    plain = failed(tasks.add.enqueue(1, 2).id)
    old = tasks.add.using(queue_name="highmem").enqueue(5, 6)
    TaskRecord.objects.filter(pk=old.id).update(enqueued_at="2001-01-01T00:00:00Z")
    env = {**subprocess_env, "COLUMNS": "160"}
    out = cli(env, "status", "--queue", "gpu")
    assert out.returncode == 0, out.stderr
    assert gpu.id in out.stdout and plain.pk not in out.stdout
    assert "the 1 most recent tasks (queue gpu):" in out.stdout
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= 160
    words = " ".join(out.stdout.split("REASON", 1)[1].split())
    assert " ".join(LONG_REASON.split()) in words  # every word of it, in order, across the wrapped lines
    [first] = [line for line in lines if line.startswith(gpu.id)]
    column = first.index("0/3 nodes")  # beside the row, its continuation lines under it
    continuation = lines[lines.index(first) + 1]
    assert continuation[:column].strip() == "" and continuation[column] != " "
    narrow = cli({**env, "COLUMNS": "80"}, "status", "--queue", "gpu").stdout.splitlines()
    [row] = [line for line in narrow if line.startswith(gpu.id)]
    below = narrow[narrow.index(row) + 1 :]  # too narrow to stand beside: whole, under its row
    assert below[0].startswith("    0/3 nodes") and all(len(line) <= 80 for line in below)
    assert " ".join(LONG_REASON.split()) == " ".join(" ".join(below).split())
    failed_only = cli(env, "status", "--status", "failed")
    assert plain.pk in failed_only.stdout and gpu.id not in failed_only.stdout
    recent = cli(env, "status", "--since", "1h")
    assert plain.pk in recent.stdout and old.id not in recent.stdout
    assert old.id in cli(env, "status").stdout
    bad = cli(env, "status", "--since", "soon")
    assert bad.returncode == 2 and "write a whole number > 0 and a unit" in bad.stderr
    managed = cli(env, "--queue", "gpu", "--status", "READY", manage="k8s_tasks_status")
    assert managed.returncode == 0 and gpu.id in managed.stdout and plain.pk not in managed.stdout
