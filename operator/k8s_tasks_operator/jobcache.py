"""What the operator knows of its Jobs: a slim record per Job, fed by the Job informer (a listing replaces
it whole; each watch event updates one entry). Decisions compare rows with this observed state; a Job the
cache says is gone is confirmed with the API before anything irreversible is done about it.

Per Job only a few strings are kept (not the Job itself): 10,000 Jobs in flight cost about 2 MB.
"""

from __future__ import annotations

import asyncio
import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from k8s_tasks.profiles import labels

from .classify import job_finished


@dataclass(frozen=True, slots=True)
class JobInfo:
    name: str
    namespace: str
    task_id: str
    """The task's full id, from the annotation (the label may be shortened to fit 63 characters)."""
    attempt: int
    queue: str
    backend: str
    """The TASKS alias of the row (annotation k8stasks.io/backend); "" on Jobs made before it existed."""
    finished: bool
    deleting: bool
    """The Job has a deletionTimestamp: it is being deleted (its pods first, with Foreground)."""
    version: int
    """metadata.resourceVersion as a number (0 if it is not one): a newer sight wins over an older one."""
    uid: str = ""


def job_identity(body: dict[str, Any]) -> tuple[str, int] | None:
    """(task id, attempt) of one of our Jobs or pods; None for anything else. The id comes from the
    annotation, which holds it whole; the label is the fallback for objects made by older versions."""
    meta = body.get("metadata") or {}
    annotations, object_labels = meta.get("annotations") or {}, meta.get("labels") or {}
    task_id = annotations.get(labels.TASK_ID) or object_labels.get(labels.TASK_ID)
    attempt = annotations.get(labels.ATTEMPT) or object_labels.get(labels.ATTEMPT)
    if not task_id or not attempt or not str(attempt).isdigit():
        return None
    return str(task_id), int(attempt)


def job_info(job: dict[str, Any], default_namespace: str) -> JobInfo | None:
    ident = job_identity(job)
    if ident is None:
        return None
    meta = job.get("metadata") or {}
    annotations, object_labels = meta.get("annotations") or {}, meta.get("labels") or {}
    return JobInfo(  # the few values shared by thousands of Jobs are interned: one copy each
        name=str(meta.get("name", "")),
        namespace=sys.intern(str(meta.get("namespace") or default_namespace)),
        task_id=ident[0],
        attempt=ident[1],
        queue=sys.intern(str(object_labels.get(labels.QUEUE, ""))),
        backend=sys.intern(str(annotations.get(labels.BACKEND, ""))),
        finished=job_finished(job),
        deleting=bool(meta.get("deletionTimestamp")),
        version=_version(meta),
        uid=str(meta.get("uid") or ""),
    )


def _version(meta: dict[str, Any]) -> int:
    value = str(meta.get("resourceVersion") or "")
    return int(value) if value.isdigit() else 0


TOMBSTONES = 10_000


class JobCache:
    """Our Jobs by name, with the unfinished ones per queue (the queues' used slots) and per task.

    A sight from a GET or a POST (event_type None) may be older than what the watch has since delivered;
    it never overrides a newer one, nor brings back a Job whose deletion was seen (tombstones, bounded).
    """

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.by_name: dict[str, JobInfo] = {}
        self.by_task: dict[str, list[str]] = {}  # mostly one Job per task: a list is a third of a set
        self.active: dict[str, set[str]] = {}
        self.deleted: OrderedDict[str, int] = OrderedDict()
        self.synced = asyncio.Event()
        """Set once a full listing has been applied: from then on, absence in the cache means something."""

    def __len__(self) -> int:
        return len(self.by_name)

    def get(self, name: str) -> JobInfo | None:
        return self.by_name.get(name)

    def of_task(self, task_id: str) -> list[JobInfo]:
        return [self.by_name[name] for name in self.by_task.get(task_id, ()) if name in self.by_name]

    def active_in(self, queue: str) -> set[str]:
        return set(self.active.get(queue, ()))

    def active_jobs(self) -> list[JobInfo]:
        return [job for job in self.by_name.values() if not job.finished]

    def apply(self, event_type: str | None, job: dict[str, Any]) -> JobInfo | None:
        """One watch event (or a fresh GET, event_type None). Returns the Job's info; for DELETED, the
        info it had (None if it is not one of ours)."""
        info = job_info(job, self.namespace)
        if info is None:
            return None
        if event_type is None and info.version:
            known = self.by_name.get(info.name)
            newest = max(known.version if known else 0, self.deleted.get(info.name, 0))
            if info.version < newest or (info.version == newest and known is None):
                return known
        self._remove(info.name)
        if event_type == "DELETED":
            self.deleted[info.name] = info.version
            self.deleted.move_to_end(info.name)
            while len(self.deleted) > TOMBSTONES:
                self.deleted.popitem(last=False)
        else:
            self._add(info)
        return info

    def forget(self, name: str) -> None:
        """The API says the Job does not exist (404 on a GET)."""
        self._remove(name)

    def replace(self, jobs: list[dict[str, Any]]) -> None:
        """A full listing (at start, or after the watch lost its place) replaces everything known."""
        self.by_name, self.by_task, self.active = {}, {}, {}
        self.deleted.clear()
        for job in jobs:
            info = job_info(job, self.namespace)
            if info is not None:
                self._add(info)
        self.synced.set()

    def _add(self, info: JobInfo) -> None:
        self.by_name[info.name] = info
        names = self.by_task.setdefault(info.task_id, [])
        if info.name not in names:
            names.append(info.name)
        if not info.finished:
            self.active.setdefault(info.queue, set()).add(info.name)

    def _remove(self, name: str) -> None:
        old = self.by_name.pop(name, None)
        if old is None:
            return
        names = self.by_task.get(old.task_id)
        if names is not None:
            if name in names:
                names.remove(name)
            if not names:
                del self.by_task[old.task_id]
        self.active.get(old.queue, set()).discard(name)
