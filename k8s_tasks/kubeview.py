"""Read-only views of a task's Job and pods for the command line (``show``, ``logs``), through the
official ``kubernetes`` client: KUBECONFIG (or ~/.kube/config) when there is one, else the in-cluster
service account. Optional: without a reachable cluster the commands say so and show what the row holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CONTAINER = "task"
TIMEOUT = (5, 15)  # connect, read: a command never hangs on an unreachable cluster
FOLLOW_READ_TIMEOUT = 3600  # a followed log may stay silent this long


class ClusterUnavailable(Exception):
    """No cluster configuration, or the API did not answer: the message says which."""


def connect() -> Any:
    """An ApiClient: KUBECONFIG (or ~/.kube/config), else the in-cluster service account."""
    from kubernetes import client, config

    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=os.environ.get("KUBECONFIG"), client_configuration=configuration)
    except (config.ConfigException, OSError, TypeError) as no_file:
        try:
            config.load_incluster_config(client_configuration=configuration)
        except config.ConfigException:
            raise ClusterUnavailable(
                f"no cluster configuration (KUBECONFIG, ~/.kube/config, or a pod's service account): "
                f"{no_file}"
            ) from None
    return client.ApiClient(configuration)


@dataclass
class TaskObjects:
    """A task's Job and pods as the API has them now (the Job may be gone: TTL, cancel)."""

    job: dict[str, Any] | None = None
    pods: list[dict[str, Any]] = field(default_factory=list)


def _plain(api: Any, obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = api.sanitize_for_serialization(obj)
    return data


def task_objects(api: Any, namespace: str, job_name: str) -> TaskObjects:
    """The Job (None when it is gone) and its pods, oldest first."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    found = TaskObjects()
    try:
        found.job = _plain(
            api, client.BatchV1Api(api).read_namespaced_job(job_name, namespace, _request_timeout=TIMEOUT)
        )
    except ApiException as error:
        if error.status != 404:
            raise ClusterUnavailable(f"reading Job {job_name}: {error.status} {error.reason}") from None
    except Exception as error:  # connection refused, timeout, TLS
        raise ClusterUnavailable(f"the Kubernetes API did not answer: {error}") from None
    pods = client.CoreV1Api(api).list_namespaced_pod(
        namespace, label_selector=f"job-name={job_name}", _request_timeout=TIMEOUT
    )
    found.pods = sorted(
        (_plain(api, pod) for pod in pods.items),
        key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]),
    )
    return found


def task_pods(api: Any, namespace: str, task_id: str) -> list[dict[str, Any]]:
    """Every pod of the task still there, of every attempt, oldest first."""
    from kubernetes import client

    try:
        pods = client.CoreV1Api(api).list_namespaced_pod(
            namespace, label_selector=f"k8stasks.io/task-id={task_id}", _request_timeout=TIMEOUT
        )
    except Exception as error:  # connection refused, timeout, TLS, 403
        raise ClusterUnavailable(f"the Kubernetes API did not answer: {error}") from None
    return sorted(
        (_plain(api, pod) for pod in pods.items),
        key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]),
    )


def pod_line(pod: dict[str, Any]) -> str:
    """One pod in one line: name, phase, node, and its task container's state."""
    status = pod.get("status") or {}
    node = (pod.get("spec") or {}).get("nodeName") or "(not scheduled)"
    line = f"{pod['metadata']['name']}  {status.get('phase', '?')}  node {node}"
    for container in status.get("containerStatuses") or []:
        if container.get("name") != CONTAINER:
            continue
        state = container.get("state") or {}
        if "terminated" in state:
            done = state["terminated"]
            line += f"  exited {done.get('exitCode')} ({done.get('reason') or 'no reason'})"
        elif "waiting" in state:
            line += f"  waiting: {state['waiting'].get('reason', '')}"
        elif "running" in state:
            line += f"  running since {state['running'].get('startedAt', '?')}"
    return line


def job_line(job: dict[str, Any]) -> str:
    status = job.get("status") or {}
    conditions = [c["type"] for c in status.get("conditions") or [] if c.get("status") == "True"]
    state = ", ".join(conditions) or ("active" if status.get("active") else "pending")
    return f"{job['metadata']['name']}  {state}  (namespace {job['metadata'].get('namespace')})"


def stream_log(api: Any, namespace: str, pod: str, *, follow: bool) -> Iterator[bytes]:
    """The task container's log, as it comes; with ``follow``, until the container ends."""
    from kubernetes import client

    timeout = (TIMEOUT[0], FOLLOW_READ_TIMEOUT) if follow else TIMEOUT
    response: Any = client.CoreV1Api(api).read_namespaced_pod_log(
        pod, namespace, container=CONTAINER, follow=follow, _preload_content=False, _request_timeout=timeout
    )
    try:
        yield from response.stream(4096, decode_content=True)
    finally:
        response.release_conn()
