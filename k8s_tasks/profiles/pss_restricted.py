"""The "restricted" Pod Security controls (pod-security-admission policy/check_*.go of level Restricted)."""

from collections.abc import Iterator, Mapping
from typing import Any

from .errors import FieldProblem
from .podpaths import item_step, items, mapping
from .pss_baseline import (
    capabilities_baseline,
    host_path_volumes,
    proc_mount,
    proc_mount_baseline,
    seccomp_baseline,
    seccomp_types,
)
from .pss_pod import BASELINE_CAPABILITIES, CONFINED, POD_SC, RESTRICTED_VOLUME_TYPES, Check, Pod, quote


def _volume_types(volume: Mapping[str, Any]) -> list[str]:
    # A volume without a source is an emptyDir (the API server's default).
    return [key for key, value in volume.items() if key != "name" and value is not None]


def restricted_volumes(pod: Pod) -> Iterator[FieldProblem]:
    for index, volume in enumerate(items(pod.spec.get("volumes"))):
        step = item_step(volume, index)
        for kind in _volume_types(mapping(volume)):
            if kind not in RESTRICTED_VOLUME_TYPES:
                path = ("spec", "volumes", step, kind)
                detail = f"volume {quote(step.key)} uses restricted volume type {quote(kind)}"
                fix = "use " + ", ".join(sorted(RESTRICTED_VOLUME_TYPES))
                control = "baseline" if kind == "hostPath" else "restricted"  # hostPath: both levels
                yield pod.problem((path,), "restricted volume types", detail, fix, control)


def capabilities_restricted(pod: Pod) -> Iterator[FieldProblem]:
    if pod.windows:
        return
    for c in pod.containers():
        caps = mapping(c.security.get("capabilities"))
        if "ALL" not in items(caps.get("drop")):
            path = c.at("securityContext", "capabilities", "drop")
            detail = f'container {quote(c.name)} must set securityContext.capabilities.drop=["ALL"]'
            yield pod.problem((path,), "unrestricted capabilities", detail, 'drop ["ALL"]', "restricted")
        bad = sorted({str(cap) for cap in items(caps.get("add")) if cap != "NET_BIND_SERVICE"})
        if bad:
            path = c.at("securityContext", "capabilities", "add")
            detail = (
                f"container {quote(c.name)} must not include {', '.join(map(quote, bad))} "
                "in securityContext.capabilities.add"
            )
            fix = "add none, or only NET_BIND_SERVICE"
            control = "restricted" if BASELINE_CAPABILITIES.issuperset(bad) else "baseline"
            yield pod.problem((path,), "unrestricted capabilities", detail, fix, control)


def allow_privilege_escalation(pod: Pod) -> Iterator[FieldProblem]:
    if pod.windows:
        return
    for c in pod.containers():
        if c.security.get("allowPrivilegeEscalation") is not False:
            path = c.at("securityContext", "allowPrivilegeEscalation")
            detail = f"container {quote(c.name)} must set securityContext.allowPrivilegeEscalation=false"
            yield pod.problem(
                (path,), "allowPrivilegeEscalation != false", detail, "set it to false", "restricted"
            )


def run_as_non_root(pod: Pod) -> Iterator[FieldProblem]:
    if pod.user_namespace:
        return
    reason, fix = "runAsNonRoot != true", "set runAsNonRoot: true (k8s-tasks' own)"
    inherited = (*POD_SC, "runAsNonRoot")
    pod_value = pod.security.get("runAsNonRoot")
    if pod_value is False:
        detail = "pod must not set securityContext.runAsNonRoot=false"
        yield pod.problem((inherited,), reason, detail, fix, "restricted")
    for c in pod.containers():
        own = c.at("securityContext", "runAsNonRoot")
        value = c.security.get("runAsNonRoot")
        if value is False:
            detail = f"container {quote(c.name)} must not set securityContext.runAsNonRoot=false"
            yield pod.problem((own,), reason, detail, fix, "restricted")
        elif value is None and pod_value is not True:
            detail = f"pod or container {quote(c.name)} must set securityContext.runAsNonRoot=true"
            yield pod.problem((inherited, own), reason, detail, fix, "restricted")


def run_as_user(pod: Pod) -> Iterator[FieldProblem]:
    if pod.user_namespace:
        return
    for who, sc_path, sc in pod.security_contexts():
        user = sc.get("runAsUser")
        if user == 0 and not isinstance(user, bool):
            fix = "remove it, or use a non-zero user id (k8s-tasks runs as 1000)"
            path = (*sc_path, "runAsUser")
            yield pod.problem((path,), "runAsUser=0", f"{who} must not set runAsUser=0", fix, "restricted")


def seccomp_restricted(pod: Pod) -> Iterator[FieldProblem]:
    if pod.windows:
        return
    yield from seccomp_types(pod, "baseline")  # an explicit Unconfined is refused by both levels
    pod_set = mapping(pod.security.get("seccompProfile")).get("type") in CONFINED
    for c in pod.containers():
        if not pod_set and c.security.get("seccompProfile") is None:
            own = c.at("securityContext", "seccompProfile", "type")
            inherited = (*POD_SC, "seccompProfile", "type")
            detail = (
                f"pod or container {quote(c.name)} must set securityContext.seccompProfile.type "
                'to "RuntimeDefault" or "Localhost"'
            )
            fix = "keep k8s-tasks' pod securityContext (seccompProfile RuntimeDefault)"
            yield pod.problem((inherited, own), "seccompProfile", detail, fix, "restricted")


def proc_mount_restricted(pod: Pod) -> Iterator[FieldProblem]:
    # Baseline admits an unmasked /proc only in a user namespace.
    yield from proc_mount(pod, "restricted" if pod.user_namespace else "baseline")


RESTRICTED: tuple[Check, ...] = (
    restricted_volumes,
    allow_privilege_escalation,
    run_as_non_root,
    run_as_user,
    seccomp_restricted,
    capabilities_restricted,
    proc_mount_restricted,
)
# The baseline controls a restricted control replaces (upstream's OverrideCheckIDs).
OVERRIDDEN = frozenset([host_path_volumes, seccomp_baseline, capabilities_baseline, proc_mount_baseline])
