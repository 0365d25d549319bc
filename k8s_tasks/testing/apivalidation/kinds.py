"""Which validation each kind gets on create, as its registry strategy calls it: the object meta with the
kind's name rule, then the kind's own checks (Pod, Job, the workloads' pod templates, ConfigMap, Secret,
Namespace). Kinds without their own port get the object meta alone."""

from typing import Any

from ..resources import ResourceType
from . import jobs
from .field import FieldError, forbidden, invalid, too_long
from .meta import label_selector, object_meta
from .names import (
    NameFn,
    is_config_map_key,
    name_is_dns1035_label,
    name_is_dns_label,
    name_is_dns_subdomain,
    name_is_path_segment,
)
from .podspec import pod_spec, pod_template_spec

MAX_SECRET_SIZE = 1024 * 1024
_RBAC = "rbac.authorization.k8s.io"


def name_rule(rt: ResourceType) -> NameFn:
    if rt.group == _RBAC:
        return name_is_path_segment
    if rt.key == ("", "namespaces"):
        return name_is_dns_label
    if rt.key == ("", "services"):
        return name_is_dns1035_label
    return name_is_dns_subdomain


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pod(obj: dict[str, Any]) -> list[FieldError]:
    """ValidatePodCreate's spec part (the meta is checked by the caller)."""
    spec = _dict(obj.get("spec"))
    errors = pod_spec(spec, "spec")
    for group in ("containers", "initContainers"):
        for i, c in enumerate(spec.get(group) or []):
            image = str(_dict(c).get("image") or "")
            if image != image.strip():
                detail = "must not have leading or trailing whitespace"
                errors.append(invalid(f"spec.{group}[{i}].image", image, detail))
    if not spec.get("serviceAccountName"):
        for vi, volume in enumerate(spec.get("volumes") or []):
            for si, source in enumerate(_dict(_dict(volume).get("projected")).get("sources") or []):
                if _dict(source).get("serviceAccountToken") is not None:
                    path = f"spec.volumes[{vi}].projected.sources[{si}].serviceAccountToken"
                    errors.append(forbidden(path, "must not be specified when serviceAccountName is not set"))
    if spec.get("ephemeralContainers"):
        errors.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
    if spec.get("nodeName") and spec.get("schedulingGates"):
        detail = "cannot be set until all schedulingGates have been cleared"
        errors.append(forbidden("spec.nodeName", detail))
    return errors


def _workload(obj: dict[str, Any]) -> list[FieldError]:
    """The pod template of a Deployment, ReplicaSet, StatefulSet or DaemonSet, and its selector."""
    spec = _dict(obj.get("spec"))
    errors = label_selector(spec.get("selector"), "spec.selector")
    replicas = spec.get("replicas")
    if isinstance(replicas, int) and replicas < 0:
        errors.append(invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    return errors + pod_template_spec(spec.get("template"), "spec.template")


def _data_keys(obj: dict[str, Any], fields: tuple[str, ...]) -> list[FieldError]:
    errors: list[FieldError] = []
    size = 0
    for field in fields:
        for key, value in _dict(obj.get(field)).items():
            errors += [invalid(f"{field}[{key}]", key, m) for m in is_config_map_key(key)]
            if field == "data" and key in _dict(obj.get("binaryData")):
                errors.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
            size += len(str(value or ""))
    if size > MAX_SECRET_SIZE:
        errors.append(too_long(fields[0] if len(fields) == 1 else "", MAX_SECRET_SIZE))
    return errors


_PORTED = frozenset(
    {
        ("", "pods"),
        ("batch", "jobs"),
        ("apps", "deployments"),
        ("apps", "replicasets"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
        ("", "podtemplates"),
        ("", "configmaps"),
        ("", "secrets"),
        ("", "namespaces"),
        ("", "serviceaccounts"),
    }
)


def has_port(rt: ResourceType) -> bool:
    """Whether the kind's own validation is ported (else the schema's required fields stand in)."""
    return rt.key in _PORTED


def validate_create(rt: ResourceType, obj: dict[str, Any]) -> list[FieldError]:
    """Every error the kind's Validate gives a new object (after defaulting and admission)."""
    errors = object_meta(obj["metadata"], rt.namespaced, name_rule(rt))
    key = rt.key
    if key == ("", "pods"):
        errors += _pod(obj)
    elif key == ("batch", "jobs"):
        errors += jobs.job(obj)
    elif rt.group == "apps" and rt.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        errors += _workload(obj)
    elif key == ("", "podtemplates"):
        errors += pod_template_spec(obj.get("template"), "template")
    elif key == ("", "configmaps"):
        errors += _data_keys(obj, ("data", "binaryData"))
    elif key == ("", "secrets"):
        errors += _data_keys(obj, ("data",))
    return errors


def warnings_on_create(rt: ResourceType, obj: dict[str, Any]) -> list[str]:
    return jobs.warnings_on_create(obj) if rt.key == ("batch", "jobs") else []
