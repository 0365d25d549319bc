"""A task's Job finished and its pod wrote no final row: find out why from the Job and its pods."""

from __future__ import annotations

import asyncio
from typing import Any

from k8s_tasks.conf import log_tail_bytes
from k8s_tasks.logtail import clip
from k8s_tasks.models import TaskRecord
from k8s_tasks.sealing import LOG_MARKER

from . import classify, kube
from .classify import classify_job, deciding_pod, outcome
from .outcomes import profile_for, record_outcome
from .runtime import Runtime, blocking
from .sealing import is_sealed, reported, write_reported

POD_LISTINGS = 10
CLASSIFY_BYTES = 4 * classify.LOG_CHARS  # read for the reason's last lines when no log tail is stored


async def finished_job(rt: Runtime, row: TaskRecord, namespace: str) -> dict[str, Any] | None:
    """The finished Job as its watch event showed it, else as the API has it now (None: gone)."""
    seen = rt.ended.get(row.job_name)
    if seen is not None:
        return seen
    return await blocking(kube.get_job, namespace, row.job_name)


async def job_outcome(rt: Runtime, using: str, row: TaskRecord, namespace: str) -> None:
    """Classify the finished Job of the row's attempt and record the outcome (retry or FAILED)."""
    job = await finished_job(rt, row, namespace)
    if job is None:  # finished, then deleted (TTL) before we saw why: as if it vanished
        result = outcome(
            "JobVanished",
            f"Job {row.job_name} finished without a result and was deleted before its cause was read",
            "infrastructure",
        )
        await record_outcome(rt, using, row, result, None)
    else:
        pods = await job_pods(rt, job, namespace)
        deciding = deciding_pod(pods)
        pod_name = (deciding or {}).get("metadata", {}).get("name", "")
        keep = log_tail_bytes(row.backend_name)
        sealed = is_sealed(profile_for(rt, row.queue_name))
        # A sealed pod's log is stored as any other's, without its outcome line (the outcome is the row).
        marker = LOG_MARKER.encode() if sealed else None
        if sealed:
            reported_outcome = await reported(rt, row, pods, namespace)
            if reported_outcome is not None:
                tail = await read_tail(namespace, pod_name, keep, drop_last_line_prefix=marker)
                await write_reported(rt, using, row, reported_outcome, pod_name, job, log_tail=tail)
                rt.ended.pop(row.job_name, None)
                rt.last_pods.pop(row.job_name, None)
                return
        # One read of the log: the last lines name the cause (PodFailed), the end is stored with the row.
        text = await read_tail(namespace, pod_name, max(keep, CLASSIFY_BYTES), drop_last_line_prefix=marker)
        result = classify_job(job, pods, profile_for(rt, row.queue_name), log_tail=text) or outcome(
            "PodFailed", f"Job {row.job_name} finished but the task wrote no result", None
        )
        stored = clip(text, keep) if text is not None and keep else None
        await record_outcome(rt, using, row, result, job, log_tail=stored)
    rt.ended.pop(row.job_name, None)
    rt.last_pods.pop(row.job_name, None)


async def read_tail(
    namespace: str, pod_name: str, keep: int, *, drop_last_line_prefix: bytes | None = None
) -> str | None:
    """The last `keep` bytes of the pod's log (None when none are kept, or there is no pod to read)."""
    if not keep or not pod_name:
        return None
    lines = max(classify.LOG_LINES, keep // 16)  # enough lines for `keep` bytes of short ones
    return await blocking(
        kube.log_tail,
        namespace,
        pod_name,
        lines,
        max_bytes=keep,
        drop_last_line_prefix=drop_last_line_prefix,
    )


async def job_pods(rt: Runtime, job: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    """The Job's pods. When the pod watch has already shown as many ended pods as the Job counts (the
    usual case: one pod), those are used; else they are listed, plus any already deleted (evicted, lost
    with its node) from the watch's last sight. Pod and Job watches are separate streams, so a pod's last
    event may trail the Job's: listing is retried a few times."""
    name = job["metadata"]["name"]
    status = job.get("status") or {}
    seen = rt.last_pods.get(name, {})
    if seen and len(seen) >= (status.get("succeeded") or 0) + (status.get("failed") or 0):
        return list(seen.values())
    for _ in range(POD_LISTINGS):
        pods = await blocking(kube.job_pods, namespace, name)
        listed = {p["metadata"]["name"] for p in pods}
        pods += [pod for pod_name, pod in rt.last_pods.get(name, {}).items() if pod_name not in listed]
        if pods:
            return pods
        await asyncio.sleep(0.2)  # the pod's own events trail the Job's; bounded by the loop above
    return []
