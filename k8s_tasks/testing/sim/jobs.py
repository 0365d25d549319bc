"""The Job controller: creates a Job's pods from its template and keeps its status as upstream does.

Decisions are in ``jobstatus.plan_job``; this module only keeps the per-Job bookkeeping (which pod
outcomes are already counted, pods that vanished before finishing, the last failure for the backoff) and
performs the plan's writes.
"""

from datetime import UTC, datetime
from typing import Any

from ..errors import ApiError, NotFound
from ..objects import clone
from .events import Recorder
from .informer import Informer, Key, WorkQueue, key_of
from .jobstatus import TERMINAL, plan_job

COMPONENT = "job-controller"


def owner_job(pod: dict[str, Any]) -> tuple[Key, str] | None:
    """The (namespace, name) and uid of the Job controlling this pod, if any."""
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == "Job" and ref.get("controller"):
            return (pod["metadata"].get("namespace"), ref["name"]), ref.get("uid", "")
    return None


def pod_from_template(job: dict[str, Any]) -> dict[str, Any]:
    """A new pod for the Job: template labels plus the job-name / controller-uid labels, owned by it."""
    meta, spec = job["metadata"], job["spec"]
    template = spec.get("template") or {}
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels.update(
        {
            "batch.kubernetes.io/controller-uid": meta["uid"],
            "batch.kubernetes.io/job-name": meta["name"],
            "controller-uid": meta["uid"],
            "job-name": meta["name"],
        }
    )
    owner = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    pod_meta: dict[str, Any] = {
        "generateName": f"{meta['name']}-",
        "namespace": meta.get("namespace"),
        "labels": labels,
        "ownerReferences": [owner],
    }
    if tmeta.get("annotations"):
        pod_meta["annotations"] = dict(tmeta["annotations"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": clone(template["spec"])}


class JobController:
    def __init__(self, jobs: Informer, pods: Informer, recorder: Recorder, backoff_base: float) -> None:
        self.jobs, self.pods, self.recorder = jobs, pods, recorder
        self.backoff_base = backoff_base
        self.queue = WorkQueue()
        self._pods_of: dict[Key, set[Key]] = {}
        self._counted: dict[str, set[str]] = {}
        self._lost: dict[str, list[dict[str, Any]]] = {}
        self._last_failure: dict[str, datetime] = {}
        self._deleting: set[str] = set()  # pods this controller deleted: their removal is not a failure
        jobs.handlers.append(self._on_job)
        pods.handlers.append(self._on_pod)

    def _on_job(self, kind: str, job: dict[str, Any], old: dict[str, Any] | None) -> None:
        key = key_of(job)
        if kind == "DELETED":
            uid = job["metadata"].get("uid", "")
            for state in (self._counted, self._lost, self._last_failure):
                state.pop(uid, None)
            self._pods_of.pop(key, None)
            return
        self.queue.add(key)

    def _on_pod(self, kind: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        owner = owner_job(pod)
        if owner is None:
            return
        job_key, job_uid = owner
        pod_key, uid = key_of(pod), pod["metadata"].get("uid", "")
        phase = (pod.get("status") or {}).get("phase")
        if kind == "DELETED":
            self._pods_of.get(job_key, set()).discard(pod_key)
            if phase in TERMINAL:
                if uid not in self._counted.get(job_uid, ()):  # gone before its outcome was counted
                    self._lost.setdefault(job_uid, []).append(pod)
            elif uid not in self._deleting:  # removed before it finished: a failure, as upstream
                lost = clone(pod)
                lost.setdefault("status", {})["phase"] = "Failed"
                self._lost.setdefault(job_uid, []).append(lost)
                self._last_failure[job_uid] = datetime.now(UTC)
            self._deleting.discard(uid)
        else:
            self._pods_of.setdefault(job_key, set()).add(pod_key)
            if phase == "Failed" and (old is None or (old.get("status") or {}).get("phase") != "Failed"):
                self._last_failure[job_uid] = datetime.now(UTC)
        self.queue.add(job_key)

    async def run(self) -> None:
        await self.queue.run(self.reconcile)

    def reconcile(self, key: Key) -> None:
        job = self.jobs.cache.get(key)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return
        uid = job["metadata"]["uid"]
        pods = []
        for pod_key in self._pods_of.get(key, ()):
            pod = self.pods.cache.get(pod_key)
            if pod is not None and (owner_job(pod) or ((None, ""), ""))[1] == uid:
                pods.append(pod)
        lost = self._lost.pop(uid, [])
        plan = plan_job(
            job,
            pods + lost,
            self._counted.get(uid, set()),
            datetime.now(UTC),
            last_failure=self._last_failure.get(uid),
            backoff_base=self.backoff_base,
        )
        self._counted[uid] = plan.counted
        namespace, name = key
        for _ in range(plan.create):
            try:
                # the template was validated with the Job, so the pod is stored as built
                created = self.pods.store.create(
                    self.pods.rt, pod_from_template(job), namespace, copy=False, check=False
                )
            except ApiError as exc:
                self.recorder.record(
                    job, "Warning", "FailedCreate", f"Error creating: {exc.message}", COMPONENT
                )
                self.queue.add_after(key, 5.0)
                break
            self.pods.upsert(created)
            self.recorder.record(
                job, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}", COMPONENT
            )
        for pod_name in plan.delete:
            pod = self.pods.cache.get((namespace, pod_name))
            if pod is not None:
                self._deleting.add(pod["metadata"].get("uid", ""))
            try:
                self.pods.store.delete(self.pods.rt, namespace, pod_name)
            except NotFound:
                continue
            self.recorder.record(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}", COMPONENT)
        if plan.status != (job.get("status") or {}):

            def write(obj: dict[str, Any]) -> None:
                obj["status"] = plan.status

            self.jobs.upsert(
                self.jobs.store.mutate(self.jobs.rt, namespace, name, write, subresource="status")
            )
        for type_, reason, message in plan.events:
            self.recorder.record(job, type_, reason, message, COMPONENT)
        if plan.recheck_after is not None:
            self.queue.add_after(key, plan.recheck_after)
