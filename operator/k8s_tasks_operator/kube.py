"""The operator's only door to the Kubernetes API (the official `kubernetes` client).

Calls are synchronous; the handlers run them in worker threads. Every function does one API request,
so the number of writes per task is easy to count.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

GROUP, VERSION, PLURAL = "k8stasks.io", "v1alpha1", "taskqueues"
MANAGED_BY = "app.kubernetes.io/managed-by=k8s-tasks"

_local = threading.local()
_lock = threading.Lock()
_configured = False


def load_config() -> None:
    """KUBECONFIG (or ~/.kube/config) when present, else the in-cluster service account."""
    global _configured
    with _lock:
        if _configured:
            return
        try:
            config.load_kube_config()
        except config.ConfigException:
            config.load_incluster_config()
        _configured = True


def _api() -> client.ApiClient:
    api = getattr(_local, "api", None)
    if api is None:
        load_config()
        api = client.ApiClient()
        _local.api = api
    return api


def create_job(namespace: str, manifest: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Create the Job; (body, created). An existing Job of that name counts as success (adoption)."""
    batch = client.BatchV1Api(_api())
    try:
        created = batch.create_namespaced_job(namespace, manifest, _preload_content=False)  # type: ignore[arg-type]
        return _json(created), True
    except ApiException as exc:
        if exc.status != 409:
            raise
    existing = batch.read_namespaced_job(manifest["metadata"]["name"], namespace, _preload_content=False)
    return _json(existing), False


def delete_job(namespace: str, name: str) -> bool:
    """Delete a Job and (in the background) its pods, which get SIGTERM. False if it was already gone."""
    try:
        client.BatchV1Api(_api()).delete_namespaced_job(
            name, namespace, propagation_policy="Background", _preload_content=False
        )
        return True
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise


def managed_jobs(namespace: str) -> list[dict[str, Any]]:
    jobs = client.BatchV1Api(_api()).list_namespaced_job(
        namespace, label_selector=MANAGED_BY, _preload_content=False
    )
    items: list[dict[str, Any]] = _json(jobs).get("items", [])
    return items


def job_pods(namespace: str, job_name: str) -> list[dict[str, Any]]:
    pods = client.CoreV1Api(_api()).list_namespaced_pod(
        namespace, label_selector=f"job-name={job_name}", _preload_content=False
    )
    items: list[dict[str, Any]] = _json(pods).get("items", [])
    return items


def log_tail(namespace: str, pod: str, lines: int = 20) -> str:
    try:
        response = client.CoreV1Api(_api()).read_namespaced_pod_log(
            pod, namespace, tail_lines=lines, _preload_content=False
        )
        data: bytes = response.data  # type: ignore[attr-defined]
        return data.decode("utf-8", "replace")
    except ApiException:
        return ""


def patch_queue_status(namespace: str, name: str, status: dict[str, Any]) -> None:
    client.CustomObjectsApi(_api()).patch_namespaced_custom_object_status(
        GROUP, VERSION, namespace, PLURAL, name, {"status": status}
    )


def post_event(obj: dict[str, Any], event_type: str, reason: str, message: str) -> None:
    """A core/v1 Event about `obj` (a Job), as `kubectl describe` shows it."""
    meta = obj["metadata"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{meta['name']}.", "namespace": meta.get("namespace")},
        "involvedObject": {
            "apiVersion": obj.get("apiVersion", "batch/v1"),
            "kind": obj.get("kind", "Job"),
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
        },
        "reason": reason,
        "message": message[:1024],
        "type": event_type,
        "source": {"component": "k8s-tasks-operator"},
        "reportingComponent": "k8s-tasks-operator",
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }
    client.CoreV1Api(_api()).create_namespaced_event(
        meta.get("namespace") or "default",
        event,  # type: ignore[arg-type]
        _preload_content=False,
    )


def is_permanent(exc: BaseException) -> bool:
    """A refusal that repeating the request cannot fix: invalid manifest (400/403/404/422), or a
    manifest the client itself rejects."""
    if isinstance(exc, ApiException):
        return exc.status in (400, 403, 404, 422)
    return isinstance(exc, (ValueError, TypeError))


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ApiException) and exc.body:
        try:
            status = json.loads(exc.body)
            return f"{exc.status} {status.get('reason', '')}: {status.get('message', '')}"
        except ValueError:
            return f"{exc.status}: {exc.body!r}"
    return f"{type(exc).__name__}: {exc}"


def _json(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.data)
    return data
