"""The LimitRanger admission plugin (plugin/pkg/admission/limitranger), its defaults: for every container
of a new pod, the ``default`` limits and ``defaultRequest`` requests of the namespace's LimitRanges of type
Container fill in what the container does not set (a LimitRange item's defaults are defaulted first as the
API server stores them: default from max, defaultRequest from default, then from min), and the pod is
annotated ``kubernetes.io/limit-ranger`` with what was set."""

from typing import Any

from ..sim.quantity import parse_quantity
from .common import Attributes, forbidden

ANNOTATION = "kubernetes.io/limit-ranger"


def item_defaults(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(default limits, default requests) of a Container LimitRangeItem (SetDefaults_LimitRangeItem)."""
    limits = dict(item.get("default") or {})
    for key, value in (item.get("max") or {}).items():
        limits.setdefault(key, value)
    requests = dict(item.get("defaultRequest") or {})
    for source in (limits, item.get("min") or {}):
        for key, value in source.items():
            requests.setdefault(key, value)
    return limits, requests


def _defaults(a: Attributes) -> tuple[dict[str, Any], dict[str, Any]]:
    rt = a.store.resource_type("v1", "LimitRange")
    limits: dict[str, Any] = {}
    requests: dict[str, Any] = {}
    for limit_range in a.store.list(rt, a.namespace, copy=False)[0]:
        for item in (limit_range.get("spec") or {}).get("limits") or []:
            if isinstance(item, dict) and item.get("type") == "Container":
                item_limits, item_requests = item_defaults(item)
                limits.update(item_limits)
                requests.update(item_requests)
    return limits, requests


def admit(a: Attributes, pod: dict[str, Any]) -> None:
    limits, requests = _defaults(a)
    if not limits and not requests:
        return
    notes: list[str] = []
    spec = pod["spec"]
    for kind, group in (
        ("init container", spec.get("initContainers")),
        ("container", spec.get("containers")),
    ):
        for container in group or []:
            if not isinstance(container, dict):
                continue
            resources = container.setdefault("resources", {})
            own_limits = resources.setdefault("limits", {})
            own_requests = resources.setdefault("requests", {})
            set_limits = sorted(k for k in limits if k not in own_limits)
            set_requests = sorted(k for k in requests if k not in own_requests)
            own_limits.update({k: limits[k] for k in set_limits})
            own_requests.update({k: requests[k] for k in set_requests})
            if set_requests:
                notes.append(f"{', '.join(set_requests)} request for {kind} {container.get('name')}")
            if set_limits:
                notes.append(f"{', '.join(set_limits)} limit for {kind} {container.get('name')}")
            if not own_limits:
                resources.pop("limits")
            if not own_requests:
                resources.pop("requests")
    if notes:
        annotations = pod["metadata"].setdefault("annotations", {})
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)


def _check(resource: str, bound: str, value: Any, requests: dict[str, Any], limits: dict[str, Any]) -> str:
    """One min or max constraint of a Container LimitRangeItem (limitranger.go's min/maxConstraint)."""
    enforced, request, limit = parse_quantity(value), requests.get(resource), limits.get(resource)
    if bound == "min":
        if request is None:
            return f"minimum {resource} usage per Container is {value}.  No request is specified"
        if parse_quantity(request) < enforced:
            return f"minimum {resource} usage per Container is {value}, but request is {request}"
        if limit is not None and parse_quantity(limit) < enforced:
            return f"minimum {resource} usage per Container is {value}, but limit is {limit}"
        return ""
    if limit is None:
        return f"maximum {resource} usage per Container is {value}.  No limit is specified"
    if parse_quantity(limit) > enforced:
        return f"maximum {resource} usage per Container is {value}, but limit is {limit}"
    if request is not None and parse_quantity(request) > enforced:
        return f"maximum {resource} usage per Container is {value}, but request is {request}"
    return ""


def validate(a: Attributes, pod: dict[str, Any]) -> None:
    """The min and max of the namespace's Container LimitRanges, checked on every container."""
    rt = a.store.resource_type("v1", "LimitRange")
    problems: list[str] = []
    for limit_range in a.store.list(rt, a.namespace, copy=False)[0]:
        for item in (limit_range.get("spec") or {}).get("limits") or []:
            if not isinstance(item, dict) or item.get("type") != "Container":
                continue
            spec = pod["spec"]
            for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
                resources = container.get("resources") or {}
                requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
                for bound in ("min", "max"):
                    for resource, value in sorted((item.get(bound) or {}).items()):
                        problem = _check(resource, bound, value, requests, limits)
                        if problem:
                            problems.append(problem)
    if problems:
        why = problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]"
        raise forbidden(a, why)
