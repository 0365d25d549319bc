"""The Priority admission plugin (plugin/pkg/admission/priority): a pod's priorityClassName must name an
existing PriorityClass (else ``no PriorityClass with name X was found``); the pod gets its value and
preemption policy, or the globalDefault class's, or priority 0."""

from typing import Any

from .common import Attributes, forbidden

SYSTEM = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}


def admit(a: Attributes, pod: dict[str, Any]) -> None:
    spec = pod["spec"]
    rt = a.store.resource_type("scheduling.k8s.io/v1", "PriorityClass")
    name = spec.get("priorityClassName") or ""
    value, policy = 0, "PreemptLowerPriority"
    if name:
        found = a.store.stored_or_none(rt, None, name)
        if found is not None:
            value, policy = int(found.get("value") or 0), found.get("preemptionPolicy") or policy
        elif name in SYSTEM:
            value = SYSTEM[name]
        else:
            raise forbidden(a, f"no PriorityClass with name {name} was found")
    else:
        default = next((c for c in a.store.all_of(rt) if c.get("globalDefault")), None)
        if default is not None:
            spec["priorityClassName"] = default["metadata"]["name"]
            value, policy = int(default.get("value") or 0), default.get("preemptionPolicy") or policy
    given = spec.get("priority")
    if given is not None and given != value:
        raise forbidden(
            a,
            f"the integer value of priority ({given}) must not be provided in pod spec; priority admission "
            f"controller computed {value} from the given PriorityClass name",
        )
    spec["priority"] = value
    spec.setdefault("preemptionPolicy", policy)
