"""The Job cache and the watch-event functions that feed it."""

from __future__ import annotations

from typing import Any

from k8s_tasks_operator.config import OperatorConfig
from k8s_tasks_operator.jobcache import JobCache, job_identity
from k8s_tasks_operator.runtime import Runtime
from k8s_tasks_operator.writeback import job_event, jobs_listed, pod_event, remember_pod

LONG_ID = "x" * 64


def ours(name: str, task_id: str = "", version: int = 1, **status: Any) -> dict[str, Any]:
    task_id = task_id or name
    return {
        "metadata": {
            "name": name,
            "resourceVersion": str(version),
            "labels": {"k8stasks.io/task-id": task_id[:40], "k8stasks.io/queue": "q", "job-name": name},
            "annotations": {"k8stasks.io/attempt": "1", "k8stasks.io/task-id": task_id},
        },
        "status": status,
    }


DONE = {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}


def test_the_task_id_comes_whole_from_the_annotation() -> None:
    assert job_identity(ours("j", LONG_ID)) == (LONG_ID, 1), "the label is shortened; the annotation is not"
    old = {"metadata": {"labels": {"k8stasks.io/task-id": "x"}, "annotations": {"k8stasks.io/attempt": "2"}}}
    assert job_identity(old) == ("x", 2)
    assert job_identity({"metadata": {"name": "someone-elses"}}) is None


def test_active_jobs_per_queue_and_task() -> None:
    cache = JobCache("default")
    cache.apply("ADDED", ours("a"))
    cache.apply("ADDED", ours("b"))
    assert cache.active_in("q") == {"a", "b"}
    cache.apply("MODIFIED", ours("a", version=2, **DONE))
    assert cache.active_in("q") == {"b"} and cache.get("a").finished  # type: ignore[union-attr]
    cache.apply("DELETED", ours("b", version=3))
    assert cache.active_in("q") == set() and cache.of_task("b") == []


def test_an_older_sight_never_overrides_a_newer_one_nor_revives_a_deleted_job() -> None:
    cache = JobCache("default")
    cache.apply("MODIFIED", ours("a", version=5, **DONE))
    cache.apply(None, ours("a", version=4))  # a GET answered before the watch's news
    assert cache.get("a").finished  # type: ignore[union-attr]
    cache.apply("DELETED", ours("a", version=6))
    cache.apply(None, ours("a", version=5))
    assert cache.get("a") is None
    cache.apply(None, ours("a", version=9))  # created again (same name: the claim's Job made anew)
    assert cache.get("a") is not None


async def test_a_listing_replaces_the_cache_and_asks_for_a_resync() -> None:
    rt = Runtime(config=OperatorConfig())
    job_event(rt, "ADDED", ours("gone-while-away"))
    assert not rt.jobs.synced.is_set()
    jobs_listed(rt, [ours("b")])
    assert rt.jobs.active_in("q") == {"b"} and rt.jobs.synced.is_set() and rt.resync_wanted.is_set()


async def test_finished_jobs_are_kept_slim_for_their_handler() -> None:
    rt = Runtime(config=OperatorConfig())
    job_event(rt, "MODIFIED", {**ours("a", **DONE), "spec": {"template": {"spec": {"containers": []}}}})
    assert set(rt.ended) == {"a"} and "template" not in rt.ended["a"]["spec"]


async def test_ending_pods_are_remembered_while_their_job_is_unfinished() -> None:
    rt = Runtime(config=OperatorConfig())
    labels = {"job-name": "j", "k8stasks.io/queue": "q"}
    pod = {"metadata": {"name": "p1", "labels": labels}, "status": {"phase": "Failed"}}
    remember_pod(rt, "MODIFIED", pod)
    assert rt.last_pods == {}, "a pod of a Job not known is not kept"
    rt.jobs.apply("ADDED", ours("j"))
    remember_pod(rt, "MODIFIED", {**pod, "status": {"phase": "Running"}})
    assert rt.last_pods == {}
    remember_pod(rt, "MODIFIED", pod)
    remember_pod(rt, "DELETED", {"metadata": {"name": "p2", "labels": labels}, "status": {}})
    assert set(rt.last_pods["j"]) == {"p1", "p2"}


async def test_only_news_of_a_waiting_pod_is_kept() -> None:
    rt = Runtime(config=OperatorConfig())
    creating = {
        **ours("p"),
        "status": {
            "phase": "Pending",
            "containerStatuses": [{"name": "task", "state": {"waiting": {"reason": "ContainerCreating"}}}],
        },
    }
    pod_event(rt, "MODIFIED", creating)
    assert rt.waiting == {}, "every pod passes through ContainerCreating: nothing to write"
    scheduled = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes"}
    unschedulable = {**ours("p"), "status": {"phase": "Pending", "conditions": [scheduled]}}
    pod_event(rt, "MODIFIED", unschedulable)
    assert rt.waiting["p"].reason == "Unschedulable: 0/3 nodes"
    pod_event(rt, "DELETED", unschedulable)
    assert rt.waiting == {}
