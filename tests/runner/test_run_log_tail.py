"""The runner keeps the end of the task's output (its fds 1 and 2: print, subprocesses, C code) and stores
it with the outcome; the output still reaches the pod's log, stdout as stdout and stderr as stderr."""

import signal
import subprocess
from pathlib import Path

import pytest

from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from tests.runner import noisy_tasks
from tests.runner.support import run_runner, runner_command, start_runner, wait_for

WAYS = (
    "print to stdout",
    "print to stderr",
    "os.write to fd 1",
    "a subprocess",
    "its stderr",
    "C stdio",
)


def _with_limit(pod_env: dict[str, str], limit: int) -> dict[str, str]:
    return {
        **pod_env,
        "DJANGO_SETTINGS_MODULE": "tests.runner.settings_log_tail",
        "K8S_TASKS_TEST_LOG_TAIL_BYTES": str(limit),
    }


def test_success_stores_every_kind_of_output_and_still_forwards_it(pod_env: dict[str, str]) -> None:
    result = noisy_tasks.talk_and_succeed.enqueue("hello")
    done = run_runner(pod_env, result.id)
    assert done.returncode == 0, done.stderr
    row = TaskRecord.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    for way in WAYS:
        assert f"hello: {way}" in row.log_tail, (way, row.log_tail)
    # the pod's log is unchanged: each stream still goes where it went
    for way in ("print to stdout", "os.write to fd 1", "a subprocess", "C stdio"):
        assert f"hello: {way}" in done.stdout and f"hello: {way}" not in done.stderr
    for way in ("print to stderr", "its stderr"):
        assert f"hello: {way}" in done.stderr and f"hello: {way}" not in done.stdout


def test_exception_stores_the_output_with_the_failure(pod_env: dict[str, str]) -> None:
    result = noisy_tasks.talk_and_fail.enqueue("oops")
    done = run_runner(pod_env, result.id)
    assert done.returncode == 1
    row = TaskRecord.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and row.reason == "RuntimeError: oops: failed on purpose"
    assert all(f"oops: {way}" in row.log_tail for way in WAYS), row.log_tail


def test_a_retried_attempt_keeps_its_own_output_until_the_next_ends(pod_env: dict[str, str]) -> None:
    result = noisy_tasks.talk_and_fail.enqueue("first")
    assert run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="2").returncode == 1
    row = TaskRecord.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY and row.attempt == 2
    assert "first: print to stdout" in row.log_tail


def test_only_the_last_bytes_are_kept(pod_env: dict[str, str]) -> None:
    result = noisy_tasks.flood.enqueue(5000)  # ~360 KB of output
    done = run_runner(_with_limit(pod_env, 2048), result.id)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 5001  # all of it reached the log
    tail = TaskRecord.objects.get(pk=result.id).log_tail
    assert len(tail.encode()) == 2048
    assert tail.endswith("line 00004999 " + "x" * 60 + "\nthe last line\n")


def test_zero_keeps_nothing(pod_env: dict[str, str]) -> None:
    result = noisy_tasks.talk_and_succeed.enqueue("quiet")
    done = run_runner(_with_limit(pod_env, 0), result.id)
    assert done.returncode == 0 and "quiet: print to stdout" in done.stdout
    assert TaskRecord.objects.get(pk=result.id).log_tail == ""


def test_bytes_that_are_not_text_are_stored_as_text(pod_env: dict[str, str]) -> None:
    result = noisy_tasks.binary_noise.enqueue()
    done = subprocess.run(
        runner_command(result.id), env=pod_env, capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert b"before \xff\xfe nul:\x00 after \xe2\x82\n" in done.stdout  # forwarded byte for byte
    tail = TaskRecord.objects.get(pk=result.id).log_tail
    assert tail.startswith("before \ufffd\ufffd nul:\ufffd after ")
    assert "\x00" not in tail


@pytest.mark.parametrize(("how", "code"), [("exit", 3), ("segfault", 128 + signal.SIGSEGV)])
def test_a_task_that_dies_at_once_loses_none_of_its_last_lines(
    pod_env: dict[str, str], how: str, code: int
) -> None:
    """The output's supervisor outlives the task: what was in the pipes reaches the log, and the exit
    status is the task's (128 + N for a signal), as the kubelet would have seen it without the tee."""
    result = noisy_tasks.say_then_crash.enqueue(how)
    done = run_runner(pod_env, result.id)
    assert done.returncode == code, done.stderr
    assert f"last words before {how}" in done.stdout
    assert TaskRecord.objects.get(pk=result.id).status == "RUNNING"  # the operator writes this outcome


def test_killing_the_runner_kills_the_task(pod_env: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "task-pid"
    result = noisy_tasks.hold_forever.enqueue(str(marker))
    runner = start_runner(pod_env, result.id)
    task_pid = int(wait_for(lambda: marker.exists() and marker.read_text(), what="the task to start"))
    assert task_pid != runner.pid  # the task runs in the supervisor's child
    runner.kill()
    runner.wait(timeout=30)
    wait_for(lambda: not Path(f"/proc/{task_pid}").exists() or _zombie(task_pid), what="the task to die")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except OSError:
        return True
