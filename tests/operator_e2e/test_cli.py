"""The command line against the local cluster and the real operator: show (the Job, pods and nodes, as
kubectl sees them), logs (-f follows the pod, then the stored tail once the pod is gone), cancel, retry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import GPU_TAINT, Operator, QueueFactory, jobs, row, wait_final
from tests.operator_e2e import logged_tasks, tasks
from tests.operator_e2e.test_kubectl import kubectl
from tests.waiting import wait_until


def cli_env(operator: Operator, cluster: LocalCluster) -> dict[str, str]:
    return {**operator.env, "KUBECONFIG": str(cluster.kubeconfig_path), "COLUMNS": "200"}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "k8s_tasks", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_show_names_the_job_pod_and_node_kubectl_shows(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster
) -> None:
    make_queue(
        "gpu",
        nodeSelector={"pool": "gpu"},
        tolerations=[{**GPU_TAINT, "operator": "Equal"}],
        resources={"limits": {"nvidia.com/gpu": 1}},
    )
    record = wait_final(tasks.add.using(queue_name="gpu").enqueue(2, 3).id)
    out = cli(cli_env(operator, cluster), "show", record.pk)
    assert out.returncode == 0, out.stderr
    pod_name = record.worker_ids[-1]
    wide = kubectl(
        cluster, "get", "pod", pod_name, "-o", "custom-columns=NODE:.spec.nodeName", "--no-headers"
    )
    assert wide.strip() == "gpu-1"
    [job_line] = [line for line in out.stdout.splitlines() if line.startswith(f"  job   {record.job_name}  ")]
    assert "Complete" in job_line and job_line.endswith("(namespace default)"), job_line
    assert f"  pod   {pod_name}  Succeeded  node gpu-1  exited 0 (Completed)" in out.stdout
    assert "log tail (" in out.stdout and "adding 2 and 3" in out.stdout  # stored by the runner
    assert "return value:\n  5\n" in out.stdout and "args   [2, 3]" in out.stdout


def test_logs_follow_goes_on_to_the_next_attempt(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster, tmp_path: Path
) -> None:
    make_queue("default", retries={"attempts": 2, "backoffSeconds": 1})
    result = logged_tasks.say_attempt_then_fail_once.enqueue(str(tmp_path / "failed-once"))
    out = subprocess.run(
        [sys.executable, "-m", "k8s_tasks", "logs", result.id, "-f"],
        env=cli_env(operator, cluster),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    first, second = lines.index("first attempt, failing"), lines.index("second attempt, succeeding")
    assert first < second and lines[second - 1].startswith("--- attempt 2: pod task-")
    assert lines[-1] == f"--- task {result.id} is SUCCESSFUL ---"


def test_logs_follows_the_pod_then_prints_the_stored_tail_once_it_is_gone(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster, api: client.ApiClient
) -> None:
    make_queue("default")
    result = logged_tasks.say_lines.enqueue(5, 0.3)
    env = cli_env(operator, cluster)
    follow = subprocess.Popen(
        [sys.executable, "-m", "k8s_tasks", "logs", result.id, "-f"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = follow.communicate(timeout=120)
    assert follow.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[:5] == [f"line {n}" for n in range(5)], stdout  # each once, in order, from the pod
    assert lines[-1] == f"--- task {result.id} is SUCCESSFUL ---"
    kubectl(cluster, "delete", "job", row(result.id).job_name, "--cascade=foreground", "--wait=true")
    wait_until(lambda: not jobs(api, f"k8stasks.io/task-id={result.id}"), timeout=60, what="the Job to go")
    stored = cli(env, "logs", result.id)
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.splitlines()[0].startswith(f"--- task {result.id}: the last ")
    assert stored.stdout.splitlines()[1:] == [f"line {n}" for n in range(5)]


def test_cancel_and_retry_on_the_real_operator(
    operator: Operator, make_queue: QueueFactory, cluster: LocalCluster, api: client.ApiClient, tmp_path: Path
) -> None:
    make_queue("default")
    env = cli_env(operator, cluster)
    started = tmp_path / "started"
    held = logged_tasks.say_then_hold.enqueue(str(started), 60.0)
    wait_until(lambda: started.exists() and row(held.id).status == "RUNNING", timeout=60)
    job_name = row(held.id).job_name
    out = cli(env, "cancel", held.id)
    assert (out.returncode, out.stdout) == (
        0,
        f"{held.id}: cancel requested: the operator deletes Job {job_name}, then records FAILED "
        "(TaskCancelled)\n",
    )
    assert wait_final(held.id).errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.TaskCancelled"
    wait_until(lambda: _jobs_of(cluster, held.id) == "", timeout=60, what="kubectl to show its Job gone")
    again = cli(env, "cancel", held.id)
    assert (again.returncode, again.stdout) == (
        1,
        f"{held.id}: already finished (FAILED): nothing to cancel\n",
    )
    failed = wait_final(tasks.boom.enqueue().id)
    out = cli(env, "retry", failed.pk)
    new_id = TaskRecord.objects.get(pk=failed.pk).retried_as
    assert (out.returncode, out.stdout) == (0, f"{failed.pk}: re-run as {new_id}\n")
    rerun = wait_final(new_id)  # dispatched and run by the operator like any task
    assert rerun.status == "FAILED" and rerun.retried_from == failed.pk and rerun.job_name != failed.job_name
    assert _jobs_of(cluster, new_id) == f"job.batch/{rerun.job_name}\n"


def _jobs_of(cluster: LocalCluster, task_id: str) -> str:
    done = subprocess.run(
        [
            str(Path(__file__).resolve().parents[2] / ".tools" / "bin" / "kubectl"),
            "--kubeconfig",
            str(cluster.kubeconfig_path),
            "get",
            "jobs",
            "-l",
            f"k8stasks.io/task-id={task_id}",
            "-o",
            "name",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout
