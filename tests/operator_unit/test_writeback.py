"""Pure parts of write-back: which Job is which task, and which pods are remembered."""

from __future__ import annotations

from k8s_tasks_operator.config import OperatorConfig
from k8s_tasks_operator.runtime import Runtime
from k8s_tasks_operator.writeback import job_identity, remember_pod


def test_job_identity_from_labels_and_annotations() -> None:
    job = {
        "metadata": {
            "name": "task-x-2",
            "labels": {"k8stasks.io/task-id": "x"},
            "annotations": {"k8stasks.io/attempt": "2"},
        }
    }
    assert job_identity(job) == ("x", 2)
    assert job_identity({"metadata": {"name": "someone-elses"}}) is None


async def test_ending_pods_are_remembered_per_job() -> None:
    rt = Runtime(config=OperatorConfig())
    labels = {"job-name": "j", "k8stasks.io/queue": "q"}
    pod = {"metadata": {"name": "p1", "labels": labels}, "status": {"phase": "Failed"}}
    remember_pod(rt, "MODIFIED", pod)
    assert rt.last_pods == {}, "a pod of a Job not known to be active is not kept"
    rt.track_job({"metadata": {"name": "j", "labels": {"k8stasks.io/queue": "q"}}}, active=True)
    pod = {**pod, "status": {"phase": "Running"}}
    remember_pod(rt, "MODIFIED", pod)
    assert rt.last_pods == {}
    ending = {**pod, "status": {"phase": "Failed"}}
    remember_pod(rt, "MODIFIED", ending)
    replacement = {"metadata": {"name": "p2", "labels": labels}, "status": {}}
    remember_pod(rt, "DELETED", replacement)
    assert set(rt.last_pods["j"]) == {"p1", "p2"}
