"""The operator's only door to the Kubernetes API (the official `kubernetes` client's configuration, auth
and connection pools).

Calls are synchronous; the handlers run them in worker threads. Every function does one API request,
so the number of writes per task is easy to count. Requests go through one function, `_request`, past the
client's generated API classes: those first turn every body into pydantic models (measured: ~40% of the
operator's CPU per Job create) and their modules cost ~30 MB of memory (CoreV1Api alone ~20 MB). The API
server validates what it is sent; errors raise ApiException (and its subclasses) as the client does.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from k8s_tasks.logtail import TailBuffer

GROUP, VERSION, PLURAL = "k8stasks.io", "v1alpha1", "taskqueues"
MANAGED_BY = "app.kubernetes.io/managed-by=k8s-tasks"
PATHS = {
    "jobs": "/apis/batch/v1/namespaces/{namespace}/jobs",
    "pods": "/api/v1/namespaces/{namespace}/pods",
    "events": "/api/v1/namespaces/{namespace}/events",
    "secrets": "/api/v1/namespaces/{namespace}/secrets",
    "networkpolicies": "/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies",
    "taskqueues": f"/apis/{GROUP}/{VERSION}/namespaces/{{namespace}}/{PLURAL}",
    "taskschedules": f"/apis/{GROUP}/{VERSION}/namespaces/{{namespace}}/taskschedules",
}

_local = threading.local()
_lock = threading.Lock()
_configured = False


def load_config() -> None:
    """KUBECONFIG (or ~/.kube/config) when present, else the in-cluster service account."""
    global _configured
    with _lock:
        if _configured:
            return
        try:  # KUBECONFIG as it is now (the client reads it once, at import)
            config.load_kube_config(config_file=os.environ.get("KUBECONFIG"))
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


def _request(
    method: str,
    kind: str,
    namespace: str,
    name: str = "",
    *,
    query: dict[str, Any] | None = None,
    body: Any = None,
    content_type: str = "application/json",
    timeout: Any = None,
) -> Any:
    """One request to `kind` (a key of PATHS) in `namespace`, or to the object `name` ("name/status" for a
    subresource). Returns the client's response, unread (a watch is read as a stream)."""
    api = _api()
    path = PATHS[kind] + (f"/{name}" if name else "")
    headers = {"Accept": "application/json", "Content-Type": content_type}
    method, url, headers, _, _ = api.param_serialize(
        method,
        path,
        {"namespace": namespace},
        query_params=[(k, v) for k, v in (query or {}).items() if v is not None],
        header_params=headers,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(method, url, headers, body, _request_timeout=timeout)
    if not 200 <= response.status <= 299:
        response.read()
        raise ApiException.from_response(http_resp=response, body=None, data=None)
    return response


def _json(response: Any) -> Any:
    response.read()
    return orjson.loads(response.data)


def create_job(namespace: str, manifest: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Create the Job; (body, created). An existing Job of that name counts as success (adoption)."""
    try:
        return _json(_request("POST", "jobs", namespace, body=manifest)), True
    except ApiException as exc:
        if exc.status != 409:
            raise
    return _json(_request("GET", "jobs", namespace, manifest["metadata"]["name"])), False


def get_job(namespace: str, name: str) -> dict[str, Any] | None:
    """The Job as the API has it now; None if it does not exist (404)."""
    try:
        job: dict[str, Any] = _json(_request("GET", "jobs", namespace, name))
        return job
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def delete_job(namespace: str, name: str, *, foreground: bool = False) -> bool:
    """Delete a Job; its pods get SIGTERM. Background: the Job goes at once, its pods after. Foreground
    (for a cancel): the Job stays, marked, until its pods are gone. False if it was already gone."""
    policy = "Foreground" if foreground else "Background"
    try:
        _request("DELETE", "jobs", namespace, name, query={"propagationPolicy": policy}).read()
        return True
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise


def create_secret(namespace: str, manifest: dict[str, Any]) -> bool:
    """Create a Secret (a sealed task's payload); False if it exists already. Nothing ever reads one back:
    the operator may create Secrets, not get or list them."""
    try:
        _request("POST", "secrets", namespace, body=manifest).read()
        return True
    except ApiException as exc:
        if exc.status == 409:
            return False
        raise


def list_policies(namespace: str) -> list[dict[str, Any]]:
    """Our NetworkPolicies (the isolated queues' deny-all ones), by the managed-by label."""
    data = _json(_request("GET", "networkpolicies", namespace, query={"labelSelector": MANAGED_BY}))
    items: list[dict[str, Any]] = data.get("items") or []
    return items


def create_policy(namespace: str, manifest: dict[str, Any]) -> None:
    try:
        _request("POST", "networkpolicies", namespace, body=manifest).read()
    except ApiException as exc:
        if exc.status != 409:
            raise


def replace_policy(namespace: str, name: str, manifest: dict[str, Any]) -> None:
    _request("PUT", "networkpolicies", namespace, name, body=manifest).read()


def delete_policy(namespace: str, name: str) -> None:
    try:
        _request("DELETE", "networkpolicies", namespace, name).read()
    except ApiException as exc:
        if exc.status != 404:
            raise


def list_queues(namespace: str) -> list[dict[str, Any]]:
    """Every TaskQueue in the namespace (at start, before any decision that needs a profile)."""
    items: list[dict[str, Any]] = _json(_request("GET", "taskqueues", namespace)).get("items") or []
    return items


def list_managed(kind: str, namespace: str) -> tuple[list[dict[str, Any]], str]:
    """Our Jobs or Pods (by the managed-by label) and the list's resourceVersion to watch from."""
    data = _json(_request("GET", kind, namespace, query={"labelSelector": MANAGED_BY}))
    return data.get("items") or [], data.get("metadata", {}).get("resourceVersion", "")


def watch_managed(
    kind: str, namespace: str, resource_version: str, timeout_seconds: int
) -> Iterator[dict[str, Any]]:
    """The watch events ({"type", "object"}) of our Jobs or Pods after `resource_version`, with bookmarks,
    until the server ends the watch (after `timeout_seconds`) or the connection drops."""
    query = {
        "labelSelector": MANAGED_BY,
        "watch": "true",
        "resourceVersion": resource_version,
        "allowWatchBookmarks": "true",
        "timeoutSeconds": timeout_seconds,
    }
    # A stalled connection is noticed by the read timeout (bookmarks arrive about once a minute).
    response = _request("GET", kind, namespace, query=query, timeout=(10, timeout_seconds + 30)).response
    try:
        for line in iter_resp_lines(response):
            if line:
                yield orjson.loads(line)  # the operator's largest CPU cost: ~2x faster than json
    finally:
        response.release_conn()


def job_pods(namespace: str, job_name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _json(
        _request("GET", "pods", namespace, query={"labelSelector": f"job-name={job_name}"})
    ).get("items", [])
    return items


def log_tail(
    namespace: str,
    pod: str,
    lines: int = 20,
    *,
    max_bytes: int | None = None,
    drop_last_line_prefix: bytes | None = None,
) -> str:
    """The last `lines` lines of the pod's log ("" if it cannot be read). With `max_bytes`, only their
    last `max_bytes` bytes, read as a stream and kept in bounded memory (TailBuffer), and without the last
    line if it starts with `drop_last_line_prefix` (a sealed pod's outcome line)."""
    try:
        response = _request("GET", "pods", namespace, f"{pod}/log", query={"tailLines": lines})
    except ApiException as exc:
        if exc.status != 404:  # a pod gone with its node has no log: nothing to say; anything else is said
            logging.getLogger("k8s_tasks_operator").warning(
                "could not read the log of pod %s: %s", pod, describe_error(exc)
            )
        return ""
    if max_bytes is None:
        response.read()
        data: bytes = response.data
        return data.decode("utf-8", "replace")
    buffer = TailBuffer(max_bytes)
    try:
        for chunk in response.response.stream(65536):
            buffer.feed(chunk)
    finally:
        response.response.release_conn()
    return buffer.text(drop_last_line_prefix)


def patch_queue_status(namespace: str, name: str, status: dict[str, Any]) -> None:
    _request(
        "PATCH",
        "taskqueues",
        namespace,
        f"{name}/status",
        body={"status": status},
        content_type="application/merge-patch+json",
    ).read()


def list_schedules(namespace: str) -> tuple[list[dict[str, Any]], str]:
    """Every TaskSchedule in the namespace and the list's resourceVersion (the schedule loop's periodic
    listing; ApiException 404 while the TaskSchedule CRD is not installed)."""
    data = _json(_request("GET", "taskschedules", namespace))
    return data.get("items") or [], str(data.get("metadata", {}).get("resourceVersion", ""))


def patch_schedule_status(namespace: str, name: str, status: dict[str, Any]) -> None:
    _request(
        "PATCH",
        "taskschedules",
        namespace,
        f"{name}/status",
        body={"status": status},
        content_type="application/merge-patch+json",
    ).read()


def post_event(obj: dict[str, Any], event_type: str, reason: str, message: str) -> None:
    """A core/v1 Event about `obj` (a Job, a TaskQueue or a TaskSchedule), as `kubectl describe` shows
    it. Named as client-go's recorder names events, `<object>.<unix nanoseconds in hex>`: a generateName
    of `<object>.` is refused (422), a prefix may not end with a dot."""
    meta = obj["metadata"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{meta['name']}.{time.time_ns():x}", "namespace": meta.get("namespace")},
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
    _request("POST", "events", meta.get("namespace") or "default", body=event).read()


def is_quota(exc: BaseException) -> bool:
    """403 exceeded quota: a ResourceQuota is full for now (GPUs in use); the Job may be created later."""
    return isinstance(exc, ApiException) and exc.status == 403 and "exceeded quota" in str(exc.body or "")


def is_permanent(exc: BaseException) -> bool:
    """A refusal that repeating the request cannot fix: invalid manifest (400/403/404/422, but not 403
    exceeded quota), or a manifest the client itself rejects."""
    if isinstance(exc, ApiException):
        return exc.status in (400, 403, 404, 422) and not is_quota(exc)
    return isinstance(exc, (ValueError, TypeError))


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ApiException) and exc.body:
        try:
            status = orjson.loads(exc.body)
            return f"{exc.status} {status.get('reason', '')}: {status.get('message', '')}"
        except ValueError:
            return f"{exc.status}: {exc.body!r}"
    return f"{type(exc).__name__}: {exc}"
