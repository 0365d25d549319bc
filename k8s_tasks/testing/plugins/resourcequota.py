"""The ResourceQuota admission plugin, the last validating one: a create that would take a namespace over
any of its ResourceQuotas' ``spec.hard`` is refused with upstream's words (``exceeded quota: NAME,
requested: pods=1, used: pods=2, limited: pods=2``); a pod without a request or limit a quota tracks for
cpu or memory with ``failed quota: NAME: must specify limits.cpu for: main``. A create that passes is
charged at once to each quota's ``status.used`` (the quota controller keeps it true afterwards)."""

from decimal import Decimal
from typing import Any

from . import quota
from .common import Attributes, forbidden

VALIDATION_SET = ("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")


def _missing(pod: dict[str, Any], tracked: set[str]) -> str:
    required = [r for r in VALIDATION_SET if r in tracked]
    missing: dict[str, list[str]] = {}
    spec = pod.get("spec") or {}
    for container in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]:
        resources = container.get("resources") or {}
        for name in required:
            kind, _, resource = name.rpartition(".")
            own = resources.get("limits" if kind == "limits" else "requests") or {}
            if resource not in own:
                missing.setdefault(name, []).append(str(container.get("name")))
    if not missing:
        return ""
    segments = [f"{name} for: {','.join(sorted(set(missing[name])))}" for name in sorted(missing)]
    return "must specify " + "; ".join(segments)


def validate(a: Attributes, obj: dict[str, Any]) -> None:
    rt_quota = a.store.resource_type("v1", "ResourceQuota")
    quotas = a.store.list(rt_quota, a.namespace, copy=False)[0]
    if not quotas:
        return
    delta = quota.usage_of(a.rt, obj)
    name = obj["metadata"]["name"]
    charges: list[tuple[str, dict[str, Any]]] = []
    for resource_quota in sorted(quotas, key=lambda q: q["metadata"]["name"]):
        hard_text = {k: str(v) for k, v in ((resource_quota.get("spec") or {}).get("hard") or {}).items()}
        hard = {k: quota.parse_quantity(v) for k, v in hard_text.items()}
        tracked = set(hard)
        if a.rt.key == ("", "pods") and (problem := _missing(obj, tracked)):
            raise forbidden(a, f"failed quota: {resource_quota['metadata']['name']}: {problem}", name=name)
        requested = {k: v for k, v in delta.items() if k in tracked and v != 0}
        if not requested:
            continue
        used = quota.used_in(a.store, a.namespace, tracked)
        exceeded = sorted(k for k, v in requested.items() if used[k] + v > hard[k])
        if exceeded:
            raise forbidden(
                a,
                f"exceeded quota: {resource_quota['metadata']['name']}, "
                f"requested: {quota.pretty({k: requested[k] for k in exceeded}, hard_text)}, "
                f"used: {quota.pretty({k: used[k] for k in exceeded}, hard_text)}, "
                f"limited: {quota.pretty({k: hard[k] for k in exceeded}, hard_text)}",
                name=name,
            )
        new_used = {k: used[k] + requested.get(k, Decimal(0)) for k in tracked}
        charges.append((resource_quota["metadata"]["name"], quota.status_of(hard_text, new_used)))
    for quota_name, status in charges:

        def charge(obj: dict[str, Any], status: dict[str, Any] = status) -> None:
            obj["status"] = status

        a.store.mutate(rt_quota, a.namespace, quota_name, charge, subresource="status")
