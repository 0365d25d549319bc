"""A task pod runs only the task and attempt its own pod names (downward API), whatever its command line
says: a profile cannot make one queue's pod run another task's row."""

from __future__ import annotations

from k8s_tasks.compat import TaskResultStatus
from k8s_tasks.models import TaskRecord
from tests import tasks
from tests.runner.support import run_runner


def test_a_pod_refuses_to_run_another_tasks_row(pod_env: dict[str, str]) -> None:
    mine, victim = tasks.add.enqueue(1, 1), tasks.add.enqueue(2, 2)
    done = run_runner(pod_env, victim.id, K8S_TASKS_TASK_ID=mine.id, K8S_TASKS_ATTEMPT="1")
    assert done.returncode == 2
    assert f"this pod runs task '{mine.id}'" in done.stderr and "refused" in done.stderr
    assert TaskRecord.objects.get(pk=victim.id).status == TaskResultStatus.READY


def test_a_pod_refuses_a_row_dispatched_as_another_job(pod_env: dict[str, str]) -> None:
    result = tasks.add.enqueue(1, 1)
    TaskRecord.objects.filter(pk=result.id).update(job_name=f"task-{result.id}-2", attempt=2)
    done = run_runner(
        pod_env, result.id, K8S_TASKS_TASK_ID=result.id, K8S_TASKS_JOB_NAME=f"task-{result.id}-1"
    )
    assert done.returncode == 2 and "refused" in done.stderr
    assert TaskRecord.objects.get(pk=result.id).status == TaskResultStatus.READY


def test_its_own_task_runs(pod_env: dict[str, str]) -> None:
    result = tasks.add.enqueue(1, 1)
    TaskRecord.objects.filter(pk=result.id).update(job_name=f"task-{result.id}-1")
    done = run_runner(
        pod_env,
        result.id,
        K8S_TASKS_TASK_ID=result.id,
        K8S_TASKS_ATTEMPT="1",
        K8S_TASKS_JOB_NAME=f"task-{result.id}-1",
    )
    assert done.returncode == 0, done.stderr
    assert TaskRecord.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
