"""The operator's only door to the Kubernetes API (the official `kubernetes` client).

Calls are synchronous; the handlers run them in worker threads. Every function does one API request,
so the number of writes per task is easy to count.
"""

from __future__ import annotations

import json
import threading
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


def _json(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.data)
    return data
