"""The runner as a real subprocess: ids it must not run, SIGTERM, concurrent runners, retries."""

import signal
from pathlib import Path

from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from tests import tasks
from tests.runner.support import read_summary, run_runner, start_runner, wait_for


def test_unknown_id_exits_2_with_one_line(pod_env: dict[str, str]) -> None:
    done = run_runner(pod_env, "no-such-id")
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["k8s-tasks: no task result with id 'no-such-id' in the task database"]


def test_finished_id_is_not_run_again(pod_env: dict[str, str], tmp_path: Path) -> None:
    side_effect = tmp_path / "calls"
    result = tasks.append_line.enqueue(str(side_effect), "ran")
    assert run_runner(pod_env, result.id).returncode == 0
    again = run_runner(pod_env, result.id)
    assert again.returncode == 2
    assert again.stderr.splitlines() == [
        f"k8s-tasks: task {result.id} is already SUCCESSFUL; it is not run again"
    ]
    assert side_effect.read_text() == "ran\n"


def test_two_runners_on_one_attempt_call_the_function_once(pod_env: dict[str, str], tmp_path: Path) -> None:
    side_effect = tmp_path / "calls"
    result = tasks.append_line.enqueue(str(side_effect), "ran", hold_seconds=1.0)
    first = start_runner(pod_env, result.id, POD_NAME="pod-a")
    second = start_runner(pod_env, result.id, POD_NAME="pod-b")
    outcomes = sorted([(first.wait(60), first.stderr.read()), (second.wait(60), second.stderr.read())])  # type: ignore[union-attr]
    assert [code for code, _ in outcomes] == [0, 2]
    assert "is not runnable" in outcomes[1][1]
    assert side_effect.read_text() == "ran\n"
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and len(result.worker_ids) == 1


def test_sigterm_mid_task_records_pod_terminated(
    pod_env: dict[str, str], tmp_path: Path, termination_log: Path
) -> None:
    marker = tmp_path / "running"
    result = tasks.block.enqueue(str(marker))
    runner = start_runner(pod_env, result.id)
    wait_for(marker.exists, what="the task to start")
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(30) == 143
    fetched = tasks.block.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED
    [error] = fetched.errors
    assert error.exception_class_path == "k8s_tasks.exceptions.PodTerminated"
    assert "time.sleep(seconds)" in error.traceback  # where the task was interrupted
    reason = TaskRecord.objects.get(pk=result.id).reason
    assert reason.startswith("terminated by SIGTERM")
    assert read_summary(termination_log) | {"reason": ""} == {
        "id": result.id,
        "attempt": 1,
        "task": "tests.tasks.block",
        "queue": "default",
        "status": "FAILED",
        "reason": "",
    }


def test_sigterm_ends_a_task_that_catches_exception(pod_env: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "running"
    result = tasks.swallow_everything.enqueue(str(marker))
    runner = start_runner(pod_env, result.id)
    wait_for(marker.exists, what="the task to start")
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(30) == 143
    assert tasks.swallow_everything.get_result(result.id).status == TaskResultStatus.FAILED


def test_own_failure_is_retried_when_the_job_allows_attempts(pod_env: dict[str, str]) -> None:
    result = tasks.fail.enqueue("flaky")
    done = run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="2", K8S_TASKS_RETRY_DELAY_SECONDS="30")
    assert done.returncode == 1
    record = TaskRecord.objects.get(pk=result.id)
    assert (record.status, record.attempt, record.infra_retries, len(record.errors)) == ("READY", 2, 0, 1)
    assert record.run_after is not None and record.reason.startswith("attempt 1 failed, will retry")
    done = run_runner(pod_env, result.id, K8S_TASKS_MAX_ATTEMPTS="2", POD_NAME="task-pod-2")
    assert done.returncode == 1
    result.refresh()
    assert result.status == TaskResultStatus.FAILED and len(result.errors) == 2
    assert result.worker_ids == ["task-pod-1", "task-pod-2"] and result.attempts == 2


def test_attempt_from_env_must_match_the_row(pod_env: dict[str, str]) -> None:
    result = tasks.add.enqueue(1, 2)
    done = run_runner(pod_env, result.id, K8S_TASKS_ATTEMPT="2")
    assert done.returncode == 2 and "attempt 2 is not runnable: it is READY at attempt 1" in done.stderr
    bad = run_runner(pod_env, result.id, K8S_TASKS_ATTEMPT="first")
    assert bad.returncode == 2 and "K8S_TASKS_ATTEMPT='first' is invalid" in bad.stderr
    assert TaskRecord.objects.get(pk=result.id).status == TaskResultStatus.READY


def test_cancel_requested_task_is_not_run(pod_env: dict[str, str], tmp_path: Path) -> None:
    side_effect = tmp_path / "calls"
    result = tasks.append_line.enqueue(str(side_effect), "ran")
    TaskRecord.objects.filter(pk=result.id).update(cancel_requested=True)
    assert run_runner(pod_env, result.id).returncode == 1
    assert not side_effect.exists()
    assert tasks.append_line.get_result(result.id).errors[0].exception_class_path == (
        "k8s_tasks.exceptions.TaskCancelled"
    )


def test_without_settings_module_exits_2(pod_env: dict[str, str]) -> None:
    env = {key: value for key, value in pod_env.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = run_runner(env, "any")
    assert done.returncode == 2 and "DJANGO_SETTINGS_MODULE is not set" in done.stderr


def test_result_is_not_written_over_a_failure_the_operator_recorded(
    pod_env: dict[str, str], tmp_path: Path
) -> None:
    side_effect = tmp_path / "calls"
    result = tasks.append_line.enqueue(str(side_effect), "ran", hold_seconds=1.5)
    runner = start_runner(pod_env, result.id)
    wait_for(side_effect.exists, what="the task to start")
    record = TaskRecord.objects.get(pk=result.id)
    assert record.set_failed(
        "k8s_tasks.exceptions.PodDeadlineExceeded", "", "deadline of 1s exceeded", attempt=1
    )
    assert runner.wait(30) == 2
    assert "result not recorded: the task is now FAILED (deadline of 1s exceeded)" in runner.stderr.read()  # type: ignore[union-attr]
    fetched = tasks.append_line.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED
    assert fetched.errors[0].exception_class_path == "k8s_tasks.exceptions.PodDeadlineExceeded"
