"""Container resource requirements (validateResourceRequirements) and the resource-name helpers of
``pkg/apis/core/helper``: standard and extended names, which resources may be overcommitted, which must
be whole numbers."""

from typing import Any

from .field import FieldError, GoText, forbidden, invalid, required
from .names import is_qualified_name
from .quantity import Quantity, QuantityError, canonical, quantity_of

_STANDARD = frozenset(
    {
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "storage",
        "requests.storage",
        "services.nodeports",
        "services.loadbalancers",
    }
)
_STANDARD_CONTAINER = frozenset({"cpu", "memory", "ephemeral-storage"})
_INTEGER = frozenset(
    {
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    }
)
_QOS = frozenset({"cpu", "memory"})
NEGATIVE = "must be greater than or equal to 0"


def is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def is_huge_page(name: str) -> bool:
    return name.startswith("hugepages-")


def is_extended(name: str) -> bool:
    if is_native(name) or name.startswith("requests."):
        return False
    return not is_qualified_name("requests." + name)


def overcommit_allowed(name: str) -> bool:
    return is_native(name) and not is_huge_page(name)


def _standard(name: str) -> bool:
    return name in _STANDARD or name.startswith(("hugepages-", "requests.hugepages-", "limits.hugepages-"))


def container_resource_name(name: str, path: str) -> list[FieldError]:
    """validateContainerResourceName (validateResourceName first)."""
    errors = [invalid(path, name, m) for m in is_qualified_name(name)]
    if errors:
        return errors
    if "/" not in name:
        if not _standard(name):
            return [invalid(path, name, "must be a standard resource type or fully qualified")]
        if name not in _STANDARD_CONTAINER and not is_huge_page(name):
            return [invalid(path, name, "must be a standard resource for containers")]
    elif not is_native(name) and not is_extended(name):
        return [invalid(path, name, "doesn't follow extended resource name standard")]
    return []


def quantity_value(name: str, q: Quantity, path: str) -> list[FieldError]:
    """ValidateResourceQuantityValue: not negative; whole for integer resources."""
    errors: list[FieldError] = []
    if q.value < 0:
        errors.append(invalid(path, canonical(q), NEGATIVE))
    if (name in _INTEGER or is_extended(name)) and (q.value * 1000) % 1000 != 0:
        errors.append(invalid(path, GoText(canonical(q)), "must be an integer"))
    return errors


def _quantities(values: Any) -> dict[str, Quantity]:
    parsed = {}
    for name, raw in (values or {}).items() if isinstance(values, dict) else ():
        try:
            parsed[str(name)] = quantity_of(raw)
        except QuantityError:
            continue  # refused when the body was decoded
    return parsed


def requirements(resources: Any, path: str) -> list[FieldError]:
    """validateResourceRequirements for a container: names, values, requests against limits."""
    if not isinstance(resources, dict):
        return []
    lim_path, req_path = f"{path}.limits", f"{path}.requests"
    limits, requests = _quantities(resources.get("limits")), _quantities(resources.get("requests"))
    errors: list[FieldError] = []
    has_qos = has_huge = False
    for name, q in limits.items():
        at = f"{lim_path}[{name}]"
        errors += container_resource_name(name, at) + quantity_value(name, q, at)
        has_huge, has_qos = has_huge or is_huge_page(name), has_qos or name in _QOS
    for name, q in requests.items():
        at = f"{req_path}[{name}]"
        errors += container_resource_name(name, at) + quantity_value(name, q, at)
        limit = limits.get(name)
        if limit is not None:
            if q.value != limit.value and not overcommit_allowed(name):
                detail = f"must be equal to {name} limit of {canonical(limit)}"
                errors.append(invalid(req_path, canonical(q), detail))
            elif q.value > limit.value:
                detail = f"must be less than or equal to {name} limit of {canonical(limit)}"
                errors.append(invalid(req_path, canonical(q), detail))
        elif not overcommit_allowed(name):
            errors.append(required(lim_path, "Limit must be set for non overcommitable resources"))
        has_huge, has_qos = has_huge or is_huge_page(name), has_qos or name in _QOS
    if has_huge and not has_qos:
        errors.append(forbidden(path, "HugePages require cpu or memory"))
    return errors
