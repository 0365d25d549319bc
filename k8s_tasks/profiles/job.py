"""Profile + task -> one batch/v1 Job manifest (a plain dict, ready for the API). Pure: no I/O.

One Job per attempt (``backoffLimit: 0``): retries are decided by the operator, so every attempt is
visible in ``kubectl get jobs`` with its own name. No podFailurePolicy is set for the same reason: a failed
pod fails its Job at once, and the operator classifies why (see k8s_tasks_operator.classify).
``activeDeadlineSeconds`` is ``timeoutSeconds`` plus one second (``DEADLINE_GRACE_SECONDS``) on the Job,
so it counts from the Job's start, including time spent pending; the classifier reports a deadline hit
while still pending as unschedulable. The second covers Kubernetes' whole seconds: the Job controller
stores ``status.startTime`` truncated to the second (metav1.Time is RFC 3339 without fractions) and fails
the Job once ``now - startTime >= activeDeadlineSeconds``, so a deadline of exactly ``timeoutSeconds`` could
fire up to a second before ``timeoutSeconds`` had passed since the Job was created. The Job's annotation
``k8stasks.io/timeout-seconds`` keeps the queue's own value for the reason the operator writes.
"""

import copy
from dataclasses import dataclass
from typing import Any

from . import labels
from .checks import plain_secret
from .merge import merge
from .quantity import canonical
from .sealed import sealed_env, sealed_volume
from .spec import QueueProfile

CONTAINER = "task"
RUN_AS_USER = 1000
DEADLINE_GRACE_SECONDS = 1
"""Added to timeoutSeconds for the Job's activeDeadlineSeconds: the Job's startTime is truncated to whole
seconds, so without it a task could be stopped up to a second before its timeoutSeconds."""


def active_deadline_seconds(timeout_seconds: int) -> int:
    """The Job's activeDeadlineSeconds for a queue's timeoutSeconds: never fires before timeoutSeconds have
    passed since the Job was created, whatever fraction of a second its startTime lost."""
    return timeout_seconds + DEADLINE_GRACE_SECONDS


@dataclass(frozen=True)
class TaskRef:
    """The task attempt a Job runs."""

    id: str
    attempt: int
    task_path: str
    queue_name: str
    priority: int = 0
    backend: str = ""
    """The TASKS alias whose database holds the row ("" leaves it to the default)."""


def identity_labels(profile: QueueProfile, task: TaskRef) -> dict[str, str]:
    """The labels tying a Job and its pod to their task; label-safe, and never overridable by a profile."""
    result = {
        labels.MANAGED_BY: labels.MANAGED_BY_VALUE,
        labels.TASK_ID: labels.sanitize_label_value(task.id),
        labels.QUEUE: labels.sanitize_label_value(task.queue_name),
        labels.TASK_NAME: labels.task_name(task.task_path),
        labels.ATTEMPT: str(task.attempt),
    }
    if profile.network == "isolated":
        result[labels.NETWORK] = "isolated"
    return result


def task_annotations(task: TaskRef) -> dict[str, str]:
    """The task in full (annotations have no 63-character limit: the id is never shortened here)."""
    result = {
        labels.TASK_PATH: task.task_path,
        labels.ATTEMPT: str(task.attempt),
        labels.TASK_ID: task.id,
        labels.PRIORITY: str(task.priority),
    }
    if task.backend:
        result[labels.BACKEND] = task.backend
    return result


def _check_plain_env(extra_env: list[dict[str, Any]]) -> None:
    for var in extra_env:
        value = var.get("value")
        if plain_secret(str(var["name"]), value):
            raise ValueError(
                f"extra_env {var['name']!r}: a credential as a plain value would be stored in the Job spec; "
                "pass it as valueFrom.secretKeyRef instead"
            )


def _downward(name: str, field_path: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": field_path}}}


def task_env(
    profile: QueueProfile, task: TaskRef, settings_module: str, extra_env: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Ours first, then the caller's extra_env, then the profile's env; a later definition of a name wins."""
    ours: list[dict[str, Any]] = [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        # The pod's own task, attempt and Job, from its metadata (downward API): the runner runs nothing
        # else, whatever its command line says. A profile can change neither these env vars nor the
        # identity annotations and labels they read.
        _downward("K8S_TASKS_TASK_ID", f"metadata.annotations['{labels.TASK_ID}']"),
        _downward("K8S_TASKS_ATTEMPT", f"metadata.annotations['{labels.ATTEMPT}']"),
        _downward("K8S_TASKS_JOB_NAME", "metadata.labels['job-name']"),
        {"name": "K8S_TASKS_QUEUE", "value": task.queue_name},
        {"name": "DJANGO_SETTINGS_MODULE", "value": settings_module},
        {"name": "PYTHONUNBUFFERED", "value": "1"},
    ]
    profile_env = [var.model_dump(by_alias=True, exclude_none=True) for var in profile.env]
    extra_env = [dict(var) for var in extra_env]  # the caller's list is not shared (nor deep-copied: hot)
    by_name: dict[str, dict[str, Any]] = {}
    for var in [*ours, *extra_env, *profile_env]:
        by_name[var["name"]] = var
    return list(by_name.values())


def _resources(profile: QueueProfile) -> dict[str, dict[str, str]]:
    """Quantities as strings: the API takes numbers too, but the kubernetes client refuses them."""
    result: dict[str, dict[str, str]] = {}
    for section, values in (("requests", profile.resources.requests), ("limits", profile.resources.limits)):
        if values:
            result[section] = {name: canonical(q) for name, q in values.items()}
    return result


def _volumes(profile: QueueProfile) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]
    for vol in profile.volumes:
        empty_dir: dict[str, Any] = {}
        if vol.medium:
            empty_dir["medium"] = vol.medium
        if vol.size_limit is not None:
            empty_dir["sizeLimit"] = canonical(vol.size_limit)
        volumes.append({"name": vol.name, "emptyDir": empty_dir})
        mounts.append({"name": vol.name, "mountPath": vol.mount_path})
    return volumes, mounts


def _container(
    profile: QueueProfile, task: TaskRef, image: str, env: list[dict[str, Any]], mounts: list[dict[str, Any]]
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": image,
        "command": profile.container_command,
        "args": ["run", task.id],
        "env": env,
        "volumeMounts": mounts,
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
        },
    }
    if profile.env_from:
        container["envFrom"] = [s.model_dump(by_alias=True, exclude_none=True) for s in profile.env_from]
    resources = _resources(profile)
    if resources:
        container["resources"] = resources
    return container


def _pod_spec(
    profile: QueueProfile, container: dict[str, Any], volumes: list[dict[str, Any]]
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "containers": [container],
        "volumes": volumes,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_USER,
            "runAsGroup": RUN_AS_USER,
            "fsGroup": RUN_AS_USER,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    optional = {
        "nodeSelector": dict(profile.node_selector) or None,
        "affinity": copy.deepcopy(profile.affinity),
        "tolerations": [t.model_dump(by_alias=True, exclude_none=True) for t in profile.tolerations] or None,
        "serviceAccountName": profile.service_account_name,
        "priorityClassName": profile.priority_class_name,
        "runtimeClassName": profile.runtime_class_name,
    }
    spec.update({k: v for k, v in optional.items() if v is not None})
    return spec


def build_job(
    profile: QueueProfile,
    task: TaskRef,
    *,
    namespace: str,
    default_image: str,
    settings_module: str,
    extra_env: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The batch/v1 Job running attempt ``task.attempt`` of ``task`` with ``profile``.

    ``default_image`` is used when the profile names none (the operator's own image: the app's image).
    ``extra_env`` (e.g. database host and name) comes before the profile's env; it may not carry
    credentials as plain values (ValueError): pass those as valueFrom.secretKeyRef.
    """
    extra = list(extra_env or [])
    _check_plain_env(extra)
    ident = identity_labels(profile, task)
    annotations = task_annotations(task)
    name = labels.job_name(task.id, task.attempt)
    sealed = profile.network == "isolated"
    env = task_env(profile, task, settings_module, [*extra, *(sealed_env() if sealed else [])])
    volumes, mounts = _volumes(profile)
    if sealed:
        volume, mount = sealed_volume(name)
        volumes.append(volume)
        mounts.append(mount)
    container = _container(profile, task, profile.image or default_image, env, mounts)
    template: dict[str, Any] = {
        "metadata": {
            "labels": {**profile.labels, **ident},
            "annotations": {
                **profile.annotations,
                **annotations,
                "kubectl.kubernetes.io/default-container": CONTAINER,
            },
        },
        "spec": _pod_spec(profile, container, volumes),
    }
    if profile.pod_template:
        template = merge(template, {str(k): v for k, v in profile.pod_template.items()})
        template["metadata"]["labels"].update(ident)
        template["metadata"]["annotations"].update(annotations)
        template["spec"]["restartPolicy"] = "Never"
    job_spec: dict[str, Any] = {"backoffLimit": 0, "completions": 1, "parallelism": 1, "template": template}
    job_annotations = {**profile.annotations, **annotations}
    if profile.timeout_seconds is not None:
        job_spec["activeDeadlineSeconds"] = active_deadline_seconds(profile.timeout_seconds)
        job_annotations[labels.TIMEOUT_SECONDS] = str(profile.timeout_seconds)
    if profile.ttl_seconds_after_finished is not None:
        job_spec["ttlSecondsAfterFinished"] = profile.ttl_seconds_after_finished
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {**profile.labels, **ident},
            "annotations": job_annotations,
        },
        "spec": job_spec,
    }
