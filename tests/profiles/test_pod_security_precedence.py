"""Pod Security as upstream decides it: pod-level settings a container inherits unless it sets its own, the
values each control allows, the Windows and user-namespace exemptions, and the field a problem names."""

from typing import Any

import pytest

from k8s_tasks.profiles import parse_profile
from k8s_tasks.profiles.podsecurity import check_pod_security

from .test_pod_security import SECURE, pod, pod_security, problems, task

S = "spec.podTemplate.spec.securityContext"


def sidecar(**security: Any) -> dict[str, Any]:
    """A podTemplate adding an init container with this securityContext."""
    return pod(initContainers=[{"name": "helper", "image": "busybox", "securityContext": security}])


def fields(spec: dict[str, Any], level: str = "restricted") -> list[str]:
    return [p.field for p in problems(spec, level)]


def test_a_sidecar_inherits_the_pods_run_as_non_root_and_seccomp_profile() -> None:
    assert fields(sidecar(**SECURE)) == []


def test_a_containers_own_run_as_non_root_false_overrides_the_pods_true() -> None:
    assert fields(sidecar(**SECURE, runAsNonRoot=False)) == [
        "spec.podTemplate.spec.initContainers[helper].securityContext.runAsNonRoot"
    ]


def test_without_the_pods_security_context_each_container_needs_its_own() -> None:
    spec = {"podTemplate": {"spec": {**sidecar(**SECURE)["podTemplate"]["spec"], "securityContext": None}}}
    found = problems(spec)
    assert {p.field for p in found} == {S}
    rules = sorted(str(p).split(": ", 2)[2].split(" (")[0] for p in found)
    assert rules == ["runAsNonRoot != true", "seccompProfile"]  # one problem per rule, for all containers
    # Containers that set both themselves pass without the pod's.
    own = {**SECURE, "runAsNonRoot": True, "seccompProfile": {"type": "Localhost", "localhostProfile": "p"}}
    spec = pod(
        securityContext=None,
        initContainers=[{"name": "helper", "image": "busybox", "securityContext": own}],
        containers=[{"name": "task", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}],
    )
    assert fields(spec) == []


def test_a_container_seccomp_profile_overrides_the_pods() -> None:
    assert fields(task(seccompProfile={"type": "Unconfined"})) == [
        "spec.podTemplate.spec.containers[task].securityContext.seccompProfile.type"
    ]
    assert fields(task(seccompProfile={"type": "Localhost", "localhostProfile": "profiles/x.json"})) == []


@pytest.mark.parametrize(
    "sysctl",
    [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_notsent_lowat",
    ],
)
def test_safe_sysctls_are_admitted(sysctl: str) -> None:
    assert fields(pod_security(sysctls=[{"name": sysctl, "value": "1"}])) == []


@pytest.mark.parametrize(
    "spec",
    [
        pod_security(seLinuxOptions={"type": "container_engine_t", "level": "s0:c1,c2"}),
        task(seLinuxOptions={"type": "container_init_t"}),
        task(appArmorProfile={"type": "Localhost", "localhostProfile": "k8s-tasks"}),
        pod_security(appArmorProfile={"type": "RuntimeDefault"}),
        {"annotations": {"container.apparmor.security.beta.kubernetes.io/task": "localhost/k8s-tasks"}},
        task(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}),
        task(procMount="Default"),
        pod(volumes=[{"name": "models", "image": {"reference": "registry.example.com/models:1"}}]),
        pod(volumes=[{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "dl", "downwardAPI": {}}]),
        pod(volumes=[{"name": "x"}]),  # no source: the API server makes it an emptyDir
        pod(containers=[{"name": "task", "ports": [{"containerPort": 8080}]}]),
    ],
)
def test_allowed_values_pass_restricted(spec: dict[str, Any]) -> None:
    assert fields(spec) == []


def test_a_profile_annotation_is_named_as_the_profile_field() -> None:
    spec = {"annotations": {"container.apparmor.security.beta.kubernetes.io/task": "unconfined"}}
    assert fields(spec) == ["spec.annotations['container.apparmor.security.beta.kubernetes.io/task']"]


def test_windows_pods_skip_the_linux_only_restricted_controls() -> None:
    linux_only = {"allowPrivilegeEscalation": None, "capabilities": None}  # no seccomp either
    spec = pod(
        os={"name": "windows"},
        securityContext=None,
        containers=[{"name": "task", "securityContext": linux_only}],
    )
    assert fields(spec) == []
    # runAsNonRoot still applies (the task container keeps its own), and baseline applies in full.
    spec["podTemplate"]["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] = None
    assert fields(spec) == [S]
    assert fields(pod(os={"name": "windows"}, hostNetwork=True)) == ["spec.podTemplate.spec.hostNetwork"]


def test_user_namespaces_relax_run_as_user_and_non_root_and_baselines_proc_mount() -> None:
    root = pod(hostUsers=False, securityContext={"runAsUser": 0, "runAsNonRoot": False})
    assert fields(root) == []
    unmasked = pod(
        hostUsers=False, containers=[{"name": "task", "securityContext": {"procMount": "Unmasked"}}]
    )
    assert fields(unmasked, "baseline") == []
    assert fields(unmasked, "restricted") == [
        "spec.podTemplate.spec.containers[task].securityContext.procMount"
    ]


def test_the_value_shown_is_the_podtemplates_and_null_and_unset_say_so() -> None:
    [hostnet] = problems(pod(hostNetwork=True))
    assert hostnet.value is True and hostnet.show_value
    assert str(hostnet).startswith("spec.podTemplate.spec.hostNetwork: True violates")
    [nulled] = problems(pod_security(seccompProfile=None))
    assert str(nulled).startswith(f"{S}.seccompProfile: is null, which violates")
    unset = problems(pod(initContainers=[{"name": "setup", "image": "busybox"}]))
    assert all(": is not set, which violates" in str(p) for p in unset)


def test_check_pod_security_takes_a_pod_template_as_build_job_makes_it() -> None:
    template = {"metadata": {}, "spec": {"hostPID": True, "containers": [{"name": "c", "image": "i"}]}}
    found = check_pod_security(template, None, "baseline")
    assert [p.field for p in found] == ["spec.podTemplate.spec.hostPID"]
    assert check_pod_security(template, None, "privileged") == []
    restricted = {p.field for p in check_pod_security(template, None, "restricted")}
    assert "spec.podTemplate.spec.containers[c].securityContext.allowPrivilegeEscalation" in restricted
    with pytest.raises(ValueError, match="'restricted', 'baseline' or 'privileged'"):
        check_pod_security(template, None, "lenient")


def test_problems_name_containers_by_name_whatever_their_order() -> None:
    spec = pod(
        initContainers=[{"name": "a", "image": "x", "securityContext": SECURE}, {"name": "b", "image": "x"}]
    )
    assert {f.split("]")[0] for f in fields(spec)} == {"spec.podTemplate.spec.initContainers[b"}
    assert parse_profile("q", spec, pod_security="baseline").pod_template is not None


@pytest.mark.parametrize("key", ["labels", "annotations"])
def test_a_podtemplate_removing_the_pods_labels_is_refused_not_a_crash_at_dispatch(key: str) -> None:
    [problem] = problems({"podTemplate": {"metadata": {key: None}}})
    assert str(problem).startswith(f"spec.podTemplate.metadata.{key}: is null: the task pod's {key} cannot")


def test_check_final_pod_is_public_with_the_levels() -> None:
    from k8s_tasks.profiles import POD_SECURITY_LEVELS, check_final_pod

    assert POD_SECURITY_LEVELS == ("restricted", "baseline", "privileged")
    profile = parse_profile("q", pod(hostIPC=True), pod_security="privileged")
    assert [p.field for p in check_final_pod(profile)] == ["spec.podTemplate.spec.hostIPC"]
    assert check_final_pod(profile, "privileged") == []
