"""Watch events of our Jobs and pods: they update what the operator observes, and queue the task's key.

These functions run on the event loop and never do I/O. The handler of a task (converge.reconcile_task)
then decides from the row and what is observed; events only make it run sooner. A listing (at start, or
after the watch lost its place) replaces what is known; the resync then compares it with the rows.
"""

from __future__ import annotations

from typing import Any

from .classify import is_hopeless_waiting, job_finished, pending_news
from .jobcache import job_identity
from .runtime import PodNews, Runtime

KEEP = ("apiVersion", "kind")


def slim_job(job: dict[str, Any]) -> dict[str, Any]:
    """The parts of a finished Job its outcome needs (metadata, status, the deadline), not its template."""
    spec = job.get("spec") or {}
    return {
        **{k: job[k] for k in KEEP if k in job},
        "metadata": job.get("metadata") or {},
        "spec": {"activeDeadlineSeconds": spec.get("activeDeadlineSeconds")},
        "status": job.get("status") or {},
    }


def job_event(rt: Runtime, event_type: str | None, job: dict[str, Any]) -> None:
    """A Job seen by the watch. A Job that finished or vanished queues its task; a finished one is kept
    (slim) for its handler, which may run after the Job is gone (TTL)."""
    info = rt.jobs.apply(event_type, job)
    if info is None or not rt.serves(info.backend):
        return
    finished = job_finished(job)
    if finished:
        rt.ended[info.name] = slim_job(job)
    if finished or event_type == "DELETED" or info.deleting:
        rt.enqueue(rt.key_of(info.task_id, info.backend))
        rt.poke()  # a slot of the queue may be free


def jobs_listed(rt: Runtime, jobs: list[dict[str, Any]]) -> None:
    """All our Jobs, as listed: they replace the cache; the resync (run after every listing) compares
    them with the rows. Nothing is queued per Job here: 10,000 finished Jobs need no work."""
    rt.jobs.replace(jobs)
    rt.resync_now()


def remember_pod(rt: Runtime, event_type: str | None, pod: dict[str, Any]) -> None:
    """Keep the last state of a Job's pod that is ending, for when it is gone by the time the Job is.
    Only while the Job is active or its outcome is being worked out (the pod's last event may trail the
    Job's: a pod lost with its node), so memory stays bounded by the Jobs in flight."""
    labels = pod["metadata"].get("labels") or {}
    job_name = labels.get("job-name")
    if not job_name:
        return
    info = rt.jobs.get(job_name)
    if (info is None or info.finished) and job_name not in rt.ended:
        return
    phase = (pod.get("status") or {}).get("phase")
    if (
        event_type == "DELETED"
        or phase in ("Succeeded", "Failed")
        or pod["metadata"].get("deletionTimestamp")
    ):
        rt.last_pods.setdefault(job_name, {})[pod["metadata"]["name"]] = pod


def pod_event(rt: Runtime, event_type: str | None, pod: dict[str, Any]) -> None:
    """While a pod waits, its row carries why; a pod that can never start fails its task. Only news (a new
    reason, or hopeless) queues the task."""
    ident = job_identity(pod)
    if ident is None:
        return
    remember_pod(rt, event_type, pod)
    meta = pod["metadata"]
    job_name = (meta.get("labels") or {}).get("job-name")
    backend = (meta.get("annotations") or {}).get("k8stasks.io/backend", "")
    if not job_name or not rt.serves(backend):
        return
    if event_type == "DELETED":
        rt.waiting.pop(job_name, None)
        rt.started.pop(job_name, None)
        return
    if sealed_and_running(pod) and job_name not in rt.started:
        rt.started[job_name] = meta["name"]  # its row cannot say so itself: the operator marks it RUNNING
        rt.enqueue(rt.key_of(ident[0], backend))
    hopeless = is_hopeless_waiting(pod)
    reason = pending_news(pod) if hopeless is None else None
    news = PodNews(reason, hopeless) if (hopeless or reason) else None
    if news == rt.waiting.get(job_name):
        return
    if news is None:
        rt.waiting.pop(job_name, None)  # no longer waiting: nothing to write
        return
    rt.waiting[job_name] = news
    rt.enqueue(rt.key_of(ident[0], backend))


def sealed_and_running(pod: dict[str, Any]) -> bool:
    labels = pod["metadata"].get("labels") or {}
    if labels.get("k8stasks.io/network") != "isolated":
        return False
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return any(
        "running" in (s.get("state") or {}) or (s.get("state") or {}).get("terminated") for s in statuses
    )


def pods_listed(rt: Runtime, pods: list[dict[str, Any]]) -> None:
    rt.waiting.clear()
    rt.started.clear()
    for pod in pods:
        pod_event(rt, None, pod)
