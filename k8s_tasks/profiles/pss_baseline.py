"""The "baseline" Pod Security controls (pod-security-admission policy/check_*.go of level Baseline)."""

from collections.abc import Iterator, Mapping
from typing import Any

from .errors import FieldProblem
from .podpaths import Path, item_step, items, mapping
from .pss_pod import (
    APPARMOR_ANNOTATION,
    BASELINE_CAPABILITIES,
    CONFINED,
    POD_SC,
    SAFE_SYSCTLS,
    SELINUX_TYPES,
    Check,
    Pod,
    quote,
)


def host_namespaces(pod: Pod) -> Iterator[FieldProblem]:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.spec.get(key) is True:
            path = ("spec", key)
            yield pod.problem((path,), "host namespaces", f"{key}=true", "remove it", "baseline")


def privileged(pod: Pod) -> Iterator[FieldProblem]:
    for c in pod.containers():
        if c.security.get("privileged") is True:
            path = c.at("securityContext", "privileged")
            detail = f"container {quote(c.name)} must not set securityContext.privileged=true"
            yield pod.problem((path,), "privileged", detail, "remove it", "baseline")


def capabilities_baseline(pod: Pod) -> Iterator[FieldProblem]:
    for c in pod.containers():
        added = items(mapping(c.security.get("capabilities")).get("add"))
        bad = sorted({str(cap) for cap in added if cap not in BASELINE_CAPABILITIES})
        if bad:
            path = c.at("securityContext", "capabilities", "add")
            detail = (
                f"container {quote(c.name)} must not include {', '.join(map(quote, bad))} "
                "in securityContext.capabilities.add"
            )
            fix = "add none, or only the runtime's default set (e.g. NET_BIND_SERVICE)"
            yield pod.problem((path,), "non-default capabilities", detail, fix, "baseline")


def host_path_volumes(pod: Pod) -> Iterator[FieldProblem]:
    for index, volume in enumerate(items(pod.spec.get("volumes"))):
        if mapping(volume).get("hostPath") is not None:
            step = item_step(volume, index)
            path = ("spec", "volumes", step, "hostPath")
            fix = "use a persistentVolumeClaim, an emptyDir (spec.volumes) or a configMap instead"
            yield pod.problem((path,), "hostPath volumes", f"volume {quote(step.key)}", fix, "baseline")


def host_ports(pod: Pod) -> Iterator[FieldProblem]:
    for c in pod.containers():
        for index, port in enumerate(items(c.spec.get("ports"))):
            host_port = mapping(port).get("hostPort")
            if host_port not in (None, 0):
                path = c.at("ports", item_step(port, index), "hostPort")
                detail = f"container {quote(c.name)} uses hostPort {host_port}"
                yield pod.problem((path,), "hostPort", detail, "remove hostPort", "baseline")


def app_armor(pod: Pod) -> Iterator[FieldProblem]:
    fix = "remove it, or use RuntimeDefault or Localhost"
    for who, sc_path, sc in pod.security_contexts():
        profile = sc.get("appArmorProfile")
        if isinstance(profile, Mapping) and profile.get("type") not in CONFINED:
            path = (*sc_path, "appArmorProfile", "type")
            value = profile.get("type", "")
            detail = f"{who} must not set AppArmor profile type to {quote(value)}"
            yield pod.problem((path,), "forbidden AppArmor profile", detail, fix, "baseline")
    annotations = mapping(mapping(pod.template.get("metadata")).get("annotations"))
    for key, value in annotations.items():
        if str(key).startswith(APPARMOR_ANNOTATION):
            text = str(value)
            if text and text != "runtime/default" and not text.startswith("localhost/"):
                path = ("metadata", "annotations", str(key))
                detail = f"annotation {key}={quote(text)}"
                fix = "remove it, or use runtime/default or localhost/<profile>"
                profile_field = f"spec.annotations[{key!r}]"  # unless the podTemplate set it
                yield pod.problem(
                    (path,), "forbidden AppArmor profile", detail, fix, "baseline", fallback=profile_field
                )


def se_linux(pod: Pod) -> Iterator[FieldProblem]:
    for who, sc_path, sc in pod.security_contexts():
        options = sc.get("seLinuxOptions")
        if not isinstance(options, Mapping):
            continue
        path = (*sc_path, "seLinuxOptions")
        kind = options.get("type") or ""
        if kind not in SELINUX_TYPES:
            detail = f"{who} set forbidden securityContext.seLinuxOptions: type {quote(kind)}"
            fix = "remove it, or use container_t, container_init_t, container_kvm_t or container_engine_t"
            yield pod.problem(((*path, "type"),), "seLinuxOptions", detail, fix, "baseline")
        for key in ("user", "role"):
            if options.get(key):
                detail = f"{who} set forbidden securityContext.seLinuxOptions: {key} may not be set"
                yield pod.problem(((*path, key),), "seLinuxOptions", detail, "remove it", "baseline")


def proc_mount(pod: Pod, control: str) -> Iterator[FieldProblem]:
    for c in pod.containers():
        mount = c.security.get("procMount")
        if mount is not None and mount != "Default":
            path = c.at("securityContext", "procMount")
            detail = f"container {quote(c.name)} must not set securityContext.procMount to {quote(mount)}"
            yield pod.problem((path,), "procMount", detail, "remove it, or set Default", control)


def proc_mount_baseline(pod: Pod) -> Iterator[FieldProblem]:
    if not pod.user_namespace:
        yield from proc_mount(pod, "baseline")


def _seccomp_setters(pod: Pod) -> Iterator[tuple[str, Path, Any]]:
    """Who set a seccompProfile type that is not RuntimeDefault or Localhost, where, and to what."""
    for who, sc_path, sc in pod.security_contexts():
        profile = sc.get("seccompProfile")
        if isinstance(profile, Mapping) and profile.get("type") not in CONFINED:
            yield who, (*sc_path, "seccompProfile", "type"), profile.get("type", "")


def seccomp_types(pod: Pod, control: str) -> Iterator[FieldProblem]:
    for who, path, value in _seccomp_setters(pod):
        detail = f"{who} must not set securityContext.seccompProfile.type to {quote(value)}"
        fix = "remove it, or set RuntimeDefault (k8s-tasks' own) or Localhost"
        yield pod.problem((path,), "seccompProfile", detail, fix, control)


def seccomp_baseline(pod: Pod) -> Iterator[FieldProblem]:
    yield from seccomp_types(pod, "baseline")


def sysctls(pod: Pod) -> Iterator[FieldProblem]:
    for index, sysctl in enumerate(items(pod.security.get("sysctls"))):
        name = mapping(sysctl).get("name")
        if name not in SAFE_SYSCTLS:
            path = (*POD_SC, "sysctls", item_step(sysctl, index))
            fix = "remove it; only namespaced, isolated sysctls such as net.ipv4.ip_local_port_range"
            yield pod.problem((path,), "forbidden sysctls", str(name), fix, "baseline")


def windows_host_process(pod: Pod) -> Iterator[FieldProblem]:
    for who, sc_path, sc in pod.security_contexts():
        if mapping(sc.get("windowsOptions")).get("hostProcess") is True:
            path = (*sc_path, "windowsOptions", "hostProcess")
            detail = f"{who} must not set securityContext.windowsOptions.hostProcess=true"
            yield pod.problem((path,), "hostProcess", detail, "remove it", "baseline")


def host_probes(pod: Pod) -> Iterator[FieldProblem]:
    for c in pod.containers():
        handlers: list[tuple[Path, Any]] = [
            ((probe,), c.spec.get(probe)) for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        ]
        lifecycle = mapping(c.spec.get("lifecycle"))
        handlers += [(("lifecycle", hook), lifecycle.get(hook)) for hook in ("postStart", "preStop")]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = mapping(mapping(handler).get(action)).get("host")
                if host:
                    path = c.at(*where, action, "host")
                    detail = f"container {quote(c.name)} uses probe or lifecycle host {quote(host)}"
                    yield pod.problem((path,), "probe or lifecycle host", detail, "remove host", "baseline")


BASELINE: tuple[Check, ...] = (
    windows_host_process,
    host_namespaces,
    privileged,
    capabilities_baseline,
    host_path_volumes,
    host_ports,
    host_probes,
    app_armor,
    se_linux,
    proc_mount_baseline,
    seccomp_baseline,
    sysctls,
)
