"""Pure parts of write-back: which Job is which task, and which pods are remembered."""

from __future__ import annotations

from k8s_tasks_operator.config import OperatorConfig
from k8s_tasks_operator.runtime import Runtime
from k8s_tasks_operator.writeback import job_event, job_identity, jobs_listed, pod_event, remember_pod


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


def ours(name: str, **status: object) -> dict[str, object]:
    labels = {"k8stasks.io/task-id": name, "k8stasks.io/queue": "q", "job-name": name}
    return {
        "metadata": {"name": name, "labels": labels, "annotations": {"k8stasks.io/attempt": "1"}},
        "status": status,
    }


async def test_job_events_track_active_jobs_and_start_work_only_when_a_job_ends() -> None:
    rt = Runtime(config=OperatorConfig())
    job_event(rt, "ADDED", ours("a"))
    job_event(rt, "MODIFIED", ours("a", active=1))
    assert rt.active_jobs == {"q": {"a"}} and rt.work == {}, "a running Job needs no work"
    done = ours("a", conditions=[{"type": "Complete", "status": "True"}], succeeded=1)
    job_event(rt, "MODIFIED", done)
    assert rt.active_jobs == {"q": set()} and set(rt.work) == {"a"}
    first = rt.work["a"]
    job_event(rt, "DELETED", done)
    second = rt.work["a"]
    assert second is not first, "a later event of the same Job is queued behind the earlier one"
    for task in (first, second):
        task.cancel()


async def test_a_pod_whose_last_event_trails_its_jobs_end_is_still_remembered() -> None:
    """A pod lost with its node: the Job fails first, the pod's DELETED event comes after, while the
    Job's outcome is being worked out; it must be kept, or the loss reads as BackoffLimitExceeded."""
    rt = Runtime(config=OperatorConfig())
    job_event(rt, "ADDED", ours("a", active=1))
    failed = ours("a", conditions=[{"type": "Failed", "status": "True"}], failed=1)
    job_event(rt, "MODIFIED", failed)
    assert rt.active_jobs == {"q": set()} and "a" in rt.work
    lost = {"metadata": {"name": "a-x", "labels": {"job-name": "a", "k8stasks.io/queue": "q"}}, "status": {}}
    remember_pod(rt, "DELETED", lost)
    assert set(rt.last_pods["a"]) == {"a-x"}
    rt.work.pop("a").cancel()
    remember_pod(rt, "DELETED", {**lost, "metadata": {**lost["metadata"], "name": "a-y"}})
    assert set(rt.last_pods["a"]) == {"a-x"}, "once the outcome is done, nothing more is kept"


async def test_a_listing_replaces_what_was_known_of_active_jobs() -> None:
    rt = Runtime(config=OperatorConfig())
    job_event(rt, "ADDED", ours("gone-while-away"))
    assert not rt.jobs_listed.is_set()
    jobs_listed(rt, [ours("b", active=1)])
    assert rt.active_jobs == {"q": {"b"}} and rt.jobs_listed.is_set()


async def test_only_news_of_a_waiting_pod_starts_work() -> None:
    rt = Runtime(config=OperatorConfig())
    creating = {
        **ours("p"),
        "status": {
            "phase": "Pending",
            "containerStatuses": [{"name": "task", "state": {"waiting": {"reason": "ContainerCreating"}}}],
        },
    }
    pod_event(rt, "MODIFIED", creating)
    assert rt.work == {}, "every pod passes through ContainerCreating: nothing to write"
    unschedulable = {
        **ours("p"),
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes"}
            ],
        },
    }
    pod_event(rt, "MODIFIED", unschedulable)
    assert set(rt.work) == {"p"} and rt.pending_reasons == {"p": "Unschedulable: 0/3 nodes"}
    first = rt.work["p"]
    pod_event(rt, "MODIFIED", unschedulable)
    assert rt.work["p"] is first, "the same reason again is not written again"
    first.cancel()
