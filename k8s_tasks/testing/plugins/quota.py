"""What a namespace uses, as the ResourceQuota evaluators count it (pkg/quota/v1/evaluator/core): object
counts (``count/<resource>[.<group>]`` and the legacy ``pods``, ``services``, ``secrets``, ``configmaps``,
``persistentvolumeclaims``, ``resourcequotas``), and for pods that have not ended the compute resources
(``requests.cpu`` / ``cpu``, ``limits.memory``, ``requests.nvidia.com/gpu``, ...): the sum of the
containers', at least the largest init container's, plus the pod overhead. Quantities print as
resource.Quantity does."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..resources import ResourceType
from ..sim.quantity import parse_quantity

if TYPE_CHECKING:
    from ..store import Store

Usage = dict[str, Decimal]
LEGACY_COUNTS = {
    "pods": "pods",
    "services": "services",
    "secrets": "secrets",
    "configmaps": "configmaps",
    "persistentvolumeclaims": "persistentvolumeclaims",
    "replicationcontrollers": "replicationcontrollers",
    "resourcequotas": "resourcequotas",
}
COMPUTE = ("cpu", "memory", "ephemeral-storage")
_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))
_DECIMAL = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))


def count_name(rt: ResourceType) -> str:
    return f"count/{rt.plural}.{rt.group}" if rt.group else f"count/{rt.plural}"


def _resources(container: dict[str, Any], kind: str) -> dict[str, Decimal]:
    values = ((container.get("resources") or {}).get(kind)) or {}
    return {k: parse_quantity(v) for k, v in values.items()}


def pod_compute(pod: dict[str, Any]) -> Usage:
    """requests.X, limits.X (and cpu, memory) of one pod (PodRequests / PodLimits)."""
    spec = pod.get("spec") or {}
    usage: Usage = {}
    for kind in ("requests", "limits"):
        total: dict[str, Decimal] = {}
        for container in spec.get("containers") or []:
            for name, value in _resources(container, kind).items():
                total[name] = total.get(name, Decimal(0)) + value
        for container in spec.get("initContainers") or []:
            for name, value in _resources(container, kind).items():
                total[name] = max(total.get(name, Decimal(0)), value)
        for name, value in (spec.get("overhead") or {}).items():
            total[name] = total.get(name, Decimal(0)) + parse_quantity(value)
        for name, value in total.items():
            if kind == "limits" and name not in COMPUTE:
                continue  # extended resources are quota'd by their requests only
            usage[f"{kind}.{name}"] = value
            if kind == "requests" and name in ("cpu", "memory", "ephemeral-storage"):
                usage[name] = value
    return usage


def terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def usage_of(rt: ResourceType, obj: dict[str, Any]) -> Usage:
    """What one object counts for (a pod that has ended counts for nothing but its object count)."""
    usage: Usage = {count_name(rt): Decimal(1)}
    if not rt.group and rt.plural in LEGACY_COUNTS:
        usage[LEGACY_COUNTS[rt.plural]] = Decimal(1)
    if rt.key == ("", "pods"):
        if terminal(obj):
            return {}
        usage.update(pod_compute(obj))
    return usage


def used_in(store: "Store", namespace: str, names: set[str]) -> Usage:
    """The namespace's current usage of the resources ``names``."""
    used: Usage = dict.fromkeys(names, Decimal(0))
    kinds: dict[tuple[str, str], ResourceType] = {}
    for rt in store.resource_types():
        if rt.namespaced and not rt.verbs:
            kinds.setdefault(rt.key, rt)
    for rt in kinds.values():
        if not (names & {count_name(rt), LEGACY_COUNTS.get(rt.plural, "")}) and rt.key != ("", "pods"):
            continue
        for obj in store.list(rt, namespace, copy=False)[0]:
            for name, value in usage_of(rt, obj).items():
                if name in used:
                    used[name] += value
    return used


def quantity(value: Decimal, like: str = "") -> str:
    """resource.Quantity's canonical form, in the format (binary or decimal suffixes) of ``like``."""
    if value == value.to_integral_value():
        whole = int(value)
        binary = any(like.endswith(s) for s, _ in _BINARY)
        for suffix, factor in _BINARY if binary else _DECIMAL:
            if whole and whole % factor == 0 and (binary or like[-1:].isalpha()):
                return f"{whole // factor}{suffix}"
        return str(whole)
    millis = value * 1000
    if millis == millis.to_integral_value():
        return f"{int(millis)}m"
    return str(value)


def pretty(usage: Usage, like: dict[str, str]) -> str:
    return ",".join(f"{k}={quantity(usage[k], like.get(k, ''))}" for k in sorted(usage))


def status_of(hard_text: dict[str, str], used: dict[str, Decimal]) -> dict[str, Any]:
    return {
        "hard": dict(hard_text),
        "used": {k: quantity(used[k], hard_text.get(k, "")) for k in sorted(used)},
    }
