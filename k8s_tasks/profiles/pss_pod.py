"""The pod as the Pod Security controls see it, and the values they allow (Kubernetes 1.37 policy).

See podsecurity.py for the levels and how the controls combine; pss_baseline.py and pss_restricted.py for
the controls.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import MISSING, FieldProblem
from .podpaths import Container, Path, containers, lookup, mapping, origin

# check_capabilities_baseline.go: the container runtime's default set.
BASELINE_CAPABILITIES = frozenset(
    [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
)
# check_sysctls.go: the policy 1.0 set, plus 1.27, 1.29, 1.32 and 1.37 additions.
SAFE_SYSCTLS = frozenset(
    [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",  # 1.27
        "net.ipv4.tcp_keepalive_time",  # 1.29
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",  # 1.32
        "net.ipv4.tcp_wmem",
        "net.ipv4.tcp_slow_start_after_idle",  # 1.37
        "net.ipv4.tcp_notsent_lowat",
    ]
)
# check_seLinuxOptions.go: 1.0, plus container_engine_t from 1.31.
SELINUX_TYPES = frozenset(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"])
# check_restrictedVolumes.go: the only volume sources "restricted" allows (image since 1.33).
RESTRICTED_VOLUME_TYPES = frozenset(
    [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ]
)
CONFINED = frozenset(["RuntimeDefault", "Localhost"])  # seccomp and AppArmor profile types
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
POD_SC: Path = ("spec", "securityContext")


def quote(value: Any) -> str:
    return f'"{value}"'


@dataclass(frozen=True)
class Pod:
    """The final pod template being checked, the podTemplate it came from, and the level."""

    template: Mapping[str, Any]
    pod_template: Mapping[str, Any] | None
    level: str

    @property
    def spec(self) -> Mapping[str, Any]:
        return mapping(self.template.get("spec"))

    @property
    def security(self) -> Mapping[str, Any]:
        return mapping(self.spec.get("securityContext"))

    @property
    def windows(self) -> bool:
        return mapping(self.spec.get("os")).get("name") == "windows"

    @property
    def user_namespace(self) -> bool:
        return self.spec.get("hostUsers") is False

    def containers(self) -> Iterator[Container]:
        return containers(self.spec)

    def security_contexts(self) -> Iterator[tuple[str, Path, Mapping[str, Any]]]:
        """Who (the pod, then each container), where and what: every securityContext of the pod."""
        yield "pod", POD_SC, self.security
        for c in self.containers():
            yield f"container {quote(c.name)}", c.at("securityContext"), c.security

    def problem(
        self, paths: tuple[Path, ...], reason: str, detail: str, fix: str, control: str, fallback: str = ""
    ) -> FieldProblem:
        """A violation, named at the first of ``paths`` that the podTemplate decided (see podpaths.origin)."""
        where = origin(self.pod_template, *paths, final=lookup(self.template, paths[0]), fallback=fallback)
        if where.value is None:
            prefix = "is null, which "
        elif where.value is MISSING:
            prefix = "is not set, which "
        else:
            prefix = ""
        # Which level admits it: the operator's setting (a chart value) relaxes the level on purpose.
        relax = "privileged" if control == "baseline" else "baseline"
        return FieldProblem(
            where.field,
            where.value,
            f'{prefix}violates Pod Security "{self.level}": {reason} ({detail})',
            f'{fix}; or relax the operator\'s Pod Security level to "{relax}", on purpose',
            show_value=not prefix,
        )


Check = Callable[[Pod], Iterator[FieldProblem]]
