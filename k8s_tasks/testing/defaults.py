"""Defaults kube-apiserver fills in (SetDefaults_* of pkg/apis/*/v1), for the kinds whose defaults clients
rely on: on create, and for the spec of workloads on every update too, as upstream defaults every decode."""

import base64
from typing import Any

from .namespaces import defaults as namespace_defaults
from .resources import ResourceType


def _pod_spec_defaults(spec: dict[str, Any]) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for volume in spec.get("volumes") or []:
        _volume_defaults(volume)
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        if not isinstance(container, dict):
            continue
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        image = str(container.get("image", ""))
        tagged = ":" in image.rsplit("/", 1)[-1] or "@" in image
        latest = not tagged or image.endswith(":latest")
        container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        container.setdefault("resources", {})
        for var in container.get("env") or []:
            _field_ref_defaults((var.get("valueFrom") or {}) if isinstance(var, dict) else {})
        for port in container.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
        for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
            _probe_defaults(container.get(probe_name))


def _field_ref_defaults(source: Any) -> None:
    """SetDefaults_ObjectFieldSelector: a fieldRef's apiVersion is v1."""
    if isinstance(source, dict) and isinstance(source.get("fieldRef"), dict):
        source["fieldRef"].setdefault("apiVersion", "v1")


def _volume_defaults(volume: Any) -> None:
    if not isinstance(volume, dict):
        return
    for item in (volume.get("downwardAPI") or {}).get("items") or []:
        _field_ref_defaults(item)
    for source in (volume.get("projected") or {}).get("sources") or []:
        if isinstance(source, dict):
            for item in (source.get("downwardAPI") or {}).get("items") or []:
                _field_ref_defaults(item)


def _probe_defaults(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    for field, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1)):
        probe.setdefault(field, value)
    probe.setdefault("failureThreshold", 3)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def qos_class(spec: dict[str, Any]) -> str:
    containers = spec.get("containers") or []
    requests_any = limits_all = False
    limits_all = bool(containers)
    for c in containers:
        res = c.get("resources") or {}
        limits, requests = res.get("limits") or {}, res.get("requests") or {}
        if requests or limits:
            requests_any = True
        if not ("cpu" in limits and "memory" in limits) or any(
            requests.get(k, limits.get(k)) != limits.get(k) for k in ("cpu", "memory")
        ):
            limits_all = False
    if limits_all:
        return "Guaranteed"
    return "Burstable" if requests_any else "BestEffort"


def secret_string_data(obj: dict[str, Any]) -> None:
    """A Secret's stringData goes into data (base64), overwriting keys of the same name, and is never
    stored or returned: it is write-only, as the core/v1 conversion makes it; type defaults to Opaque."""
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj.get("data") or {}
        data.update({k: base64.b64encode(str(v).encode()).decode() for k, v in string_data.items()})
        obj["data"] = data
    obj.setdefault("type", "Opaque")


def apply_create_defaults(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Fill defaults in place; ``obj`` already has its uid and name."""
    if rt.group == "" and rt.kind == "Secret":
        secret_string_data(obj)
    if rt.group == "" and rt.kind == "Pod":
        spec = obj.setdefault("spec", {})
        _pod_spec_defaults(spec)
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}
    elif rt.group == "batch" and rt.kind == "Job":
        _job_defaults(obj)
    elif rt.group == "" and rt.kind == "Namespace":
        namespace_defaults(obj)
    elif rt.group == "apps" and rt.kind in ("Deployment", "ReplicaSet"):
        _workload_defaults(rt.kind, obj)
        obj["status"] = (
            {"replicas": 0} if rt.kind == "ReplicaSet" else {}
        )  # ReplicaSetStatus.replicas: no omitempty


def apply_update_defaults(rt: ResourceType, obj: dict[str, Any]) -> None:
    """The spec defaults of an update (a PUT or patch may drop or add fields); in place."""
    if rt.group == "" and rt.kind == "Secret":
        secret_string_data(obj)
    if rt.group == "apps" and rt.kind in ("Deployment", "ReplicaSet"):
        _workload_defaults(rt.kind, obj)
    elif rt.group == "" and rt.kind == "Pod" and isinstance(obj.get("spec"), dict):
        _pod_spec_defaults(obj["spec"])


def _workload_defaults(kind: str, obj: dict[str, Any]) -> None:
    """SetDefaults_Deployment / SetDefaults_ReplicaSet (apps/v1) and the pod template's defaults."""
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("replicas", 1)
    if kind == "Deployment":
        strategy = spec.setdefault("strategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = strategy.setdefault("rollingUpdate", {})
            rolling.setdefault("maxUnavailable", "25%")
            rolling.setdefault("maxSurge", "25%")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        _pod_spec_defaults(template["spec"])


def _job_defaults(job: dict[str, Any]) -> None:
    """SetDefaults_Job, then the Job strategy's generateSelector. As in Go, a Job without labels of its own
    shares the template's label map when the template has one (so the generated labels show on both)."""
    meta = job["metadata"]
    spec = job.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    template = spec.setdefault("template", {})
    tmeta = template.setdefault("metadata", {})
    shared = isinstance(tmeta.get("labels"), dict) and not meta.get("labels")
    if not spec.get("manualSelector"):
        _generate_selector(meta, spec, tmeta)
    if shared:
        meta["labels"] = tmeta["labels"]
    _pod_spec_defaults(template.setdefault("spec", {}))
    job["status"] = {}


def _generate_selector(meta: dict[str, Any], spec: dict[str, Any], tmeta: dict[str, Any]) -> None:
    """generateSelector: the template gets the job-name and controller-uid labels it does not have, the
    selector the controller-uid it does not have (a user's other matchLabels stay, and validation then
    says the selector was not auto-generated)."""
    uid, name = meta["uid"], meta["name"]
    labels = tmeta.get("labels")
    if not isinstance(labels, dict):
        labels = tmeta["labels"] = {}
    for key in ("job-name", "batch.kubernetes.io/job-name"):
        labels.setdefault(key, name)
    for key in ("controller-uid", "batch.kubernetes.io/controller-uid"):
        labels.setdefault(key, uid)
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        selector = spec["selector"] = {}
    match = selector.get("matchLabels")
    if not isinstance(match, dict):
        match = selector["matchLabels"] = {}
    match.setdefault("batch.kubernetes.io/controller-uid", uid)
