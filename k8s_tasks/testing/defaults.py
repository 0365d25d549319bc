"""Defaults kube-apiserver fills in on create, for the kinds whose defaults clients rely on."""

from typing import Any

from .resources import ResourceType


def _pod_spec_defaults(spec: dict[str, Any]) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
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


def _qos_class(spec: dict[str, Any]) -> str:
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


def apply_create_defaults(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Fill defaults in place; ``obj`` already has its uid and name."""
    if rt.group == "" and rt.kind == "Pod":
        spec = obj.setdefault("spec", {})
        _pod_spec_defaults(spec)
        obj["status"] = {"phase": "Pending", "qosClass": _qos_class(spec)}
    elif rt.group == "batch" and rt.kind == "Job":
        _job_defaults(obj)
    elif rt.group == "" and rt.kind == "Namespace":
        obj["spec"] = obj.get("spec") or {}
        obj["status"] = {"phase": "Active"}


def _job_defaults(job: dict[str, Any]) -> None:
    meta = job["metadata"]
    spec = job.setdefault("spec", {})
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    template = spec.setdefault("template", {})
    tmeta = template.setdefault("metadata", {})
    if not spec.get("manualSelector"):
        uid, name = meta["uid"], meta["name"]
        labels = tmeta.setdefault("labels", {})
        labels.update(
            {
                "batch.kubernetes.io/controller-uid": uid,
                "batch.kubernetes.io/job-name": name,
                "controller-uid": uid,
                "job-name": name,
            }
        )
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    if not meta.get("labels") and tmeta.get("labels"):
        meta["labels"] = dict(tmeta["labels"])
    _pod_spec_defaults(template.setdefault("spec", {}))
    job["status"] = {}
