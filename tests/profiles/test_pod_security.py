"""The hostile-podTemplate matrix: one case per Pod Security control, each refused with the TaskQueue field
and the rule, at exactly the levels that forbid it ("restricted" forbids what "baseline" does and more;
"privileged" admits every one of them)."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from k8s_tasks.profiles import FieldProblem, ProfileError, parse_profile
from k8s_tasks.profiles.parse import final_pod_template
from k8s_tasks.profiles.podsecurity import LEVELS, check_pod_security

from .conftest import SPECS

ORDER = {"privileged": 0, "baseline": 1, "restricted": 2}
SECURE = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def problems(spec: dict[str, Any], level: str = "restricted") -> list[FieldProblem]:
    try:
        parse_profile("q", spec, pod_security=level)
    except ProfileError as exc:
        return list(exc.problems)
    return []


def pod(**spec: Any) -> dict[str, Any]:
    return {"podTemplate": {"spec": spec}}


def task(**security: Any) -> dict[str, Any]:
    """A podTemplate changing the task container's securityContext."""
    return pod(containers=[{"name": "task", "securityContext": security}])


def pod_security(**security: Any) -> dict[str, Any]:
    return pod(securityContext=security)


@dataclass(frozen=True)
class Case:
    spec: dict[str, Any]
    field: str
    rule: str  # in the message at every level that refuses it
    refused_from: str  # the most permissive level that still refuses it
    rules: dict[str, str] = field(default_factory=dict)  # a level's own wording, where they differ


C = "spec.podTemplate.spec.containers[task]"
S = "spec.podTemplate.spec.securityContext"
MATRIX: dict[str, Case] = {
    "hostNetwork": Case(
        pod(hostNetwork=True),
        "spec.podTemplate.spec.hostNetwork",
        "host namespaces (hostNetwork=true)",
        "baseline",
    ),
    "hostPID": Case(
        pod(hostPID=True), "spec.podTemplate.spec.hostPID", "host namespaces (hostPID=true)", "baseline"
    ),
    "hostIPC": Case(
        pod(hostIPC=True), "spec.podTemplate.spec.hostIPC", "host namespaces (hostIPC=true)", "baseline"
    ),
    "privileged": Case(
        task(privileged=True),
        f"{C}.securityContext.privileged",
        'privileged (container "task" must not set securityContext.privileged=true)',
        "baseline",
    ),
    "add SYS_ADMIN": Case(
        task(capabilities={"add": ["SYS_ADMIN"]}),
        f"{C}.securityContext.capabilities.add",
        '"SYS_ADMIN" in securityContext.capabilities.add',
        "baseline",
        {"restricted": "unrestricted capabilities", "baseline": "non-default capabilities"},
    ),
    "add CHOWN (a default capability)": Case(
        task(capabilities={"drop": ["ALL"], "add": ["CHOWN"]}),
        f"{C}.securityContext.capabilities.add",
        'unrestricted capabilities (container "task" must not include "CHOWN"',
        "restricted",
    ),
    "not dropping ALL": Case(
        task(capabilities={"drop": ["NET_RAW"]}),
        f"{C}.securityContext.capabilities.drop",
        'must set securityContext.capabilities.drop=["ALL"]',
        "restricted",
    ),
    "hostPath of /": Case(
        pod(volumes=[{"name": "root", "hostPath": {"path": "/"}}]),
        "spec.podTemplate.spec.volumes[root].hostPath",
        'volume "root"',
        "baseline",
        {
            "restricted": 'restricted volume types (volume "root" uses restricted volume type "hostPath")',
            "baseline": "hostPath volumes",
        },
    ),
    "nfs volume": Case(
        pod(volumes=[{"name": "share", "nfs": {"server": "nas", "path": "/x"}}]),
        "spec.podTemplate.spec.volumes[share].nfs",
        'restricted volume types (volume "share" uses restricted volume type "nfs")',
        "restricted",
    ),
    "gitRepo volume": Case(
        pod(volumes=[{"name": "src", "gitRepo": {"repository": "https://x/y.git"}}]),
        "spec.podTemplate.spec.volumes[src].gitRepo",
        'restricted volume type "gitRepo"',
        "restricted",
    ),
    "hostPort": Case(
        pod(containers=[{"name": "task", "ports": [{"containerPort": 80, "hostPort": 80}]}]),
        f"{C}.ports[0].hostPort",
        'hostPort (container "task" uses hostPort 80)',
        "baseline",
    ),
    "probe host": Case(
        pod(containers=[{"name": "task", "readinessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}]),
        f"{C}.readinessProbe.httpGet.host",
        'probe or lifecycle host (container "task" uses probe or lifecycle host "10.0.0.1")',
        "baseline",
    ),
    "runAsUser 0": Case(
        pod_security(runAsUser=0),
        f"{S}.runAsUser",
        "runAsUser=0 (pod must not set runAsUser=0)",
        "restricted",
    ),
    "container runAsUser 0": Case(
        task(runAsUser=0),
        f"{C}.securityContext.runAsUser",
        'runAsUser=0 (container "task" must not set runAsUser=0)',
        "restricted",
    ),
    "runAsNonRoot false": Case(
        task(runAsNonRoot=False),
        f"{C}.securityContext.runAsNonRoot",
        'runAsNonRoot != true (container "task" must not set securityContext.runAsNonRoot=false)',
        "restricted",
    ),
    "pod securityContext null": Case(
        pod(securityContext=None),
        S,
        'is null, which violates Pod Security "restricted": seccompProfile (pod or container "task" '
        'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
        "restricted",
    ),
    "allowPrivilegeEscalation true": Case(
        task(allowPrivilegeEscalation=True),
        f"{C}.securityContext.allowPrivilegeEscalation",
        "allowPrivilegeEscalation != false "
        '(container "task" must set securityContext.allowPrivilegeEscalation=false)',
        "restricted",
    ),
    "seccomp Unconfined": Case(
        pod_security(seccompProfile={"type": "Unconfined"}),
        f"{S}.seccompProfile.type",
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
        "baseline",
    ),
    "seccomp unset": Case(
        pod_security(seccompProfile=None),
        f"{S}.seccompProfile",
        'seccompProfile (pod or container "task" must set securityContext.seccompProfile.type',
        "restricted",
    ),
    "AppArmor Unconfined": Case(
        task(appArmorProfile={"type": "Unconfined"}),
        f"{C}.securityContext.appArmorProfile.type",
        'forbidden AppArmor profile (container "task" must not set AppArmor profile type to "Unconfined")',
        "baseline",
    ),
    "AppArmor annotation unconfined": Case(
        {
            "podTemplate": {
                "metadata": {
                    "annotations": {"container.apparmor.security.beta.kubernetes.io/task": "unconfined"}
                }
            }
        },
        "spec.podTemplate.metadata.annotations['container.apparmor.security.beta.kubernetes.io/task']",
        "forbidden AppArmor profile",
        "baseline",
    ),
    "SELinux type": Case(
        pod_security(seLinuxOptions={"type": "spc_t"}),
        f"{S}.seLinuxOptions.type",
        'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")',
        "baseline",
    ),
    "SELinux user": Case(
        task(seLinuxOptions={"user": "system_u"}),
        f"{C}.securityContext.seLinuxOptions.user",
        'seLinuxOptions (container "task" set forbidden securityContext.seLinuxOptions: user may not be set)',
        "baseline",
    ),
    "SELinux role": Case(
        task(seLinuxOptions={"role": "system_r"}),
        f"{C}.securityContext.seLinuxOptions.role",
        "role may not be set",
        "baseline",
    ),
    "procMount Unmasked": Case(
        task(procMount="Unmasked"),
        f"{C}.securityContext.procMount",
        'procMount (container "task" must not set securityContext.procMount to "Unmasked")',
        "baseline",
    ),
    "unsafe sysctl": Case(
        pod_security(sysctls=[{"name": "kernel.msgmax", "value": "65536"}]),
        f"{S}.sysctls[kernel.msgmax]",
        "forbidden sysctls (kernel.msgmax)",
        "baseline",
    ),
    "windows hostProcess": Case(
        pod_security(windowsOptions={"hostProcess": True}),
        f"{S}.windowsOptions.hostProcess",
        "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)",
        "baseline",
    ),
    "privileged ephemeral container": Case(
        pod(
            ephemeralContainers=[
                {"name": "debug", "image": "busybox", "securityContext": {**SECURE, "privileged": True}}
            ]
        ),
        "spec.podTemplate.spec.ephemeralContainers[debug].securityContext.privileged",
        'privileged (container "debug"',
        "baseline",
    ),
    "init container without a securityContext": Case(
        pod(initContainers=[{"name": "setup", "image": "busybox"}]),
        "spec.podTemplate.spec.initContainers[setup].securityContext.allowPrivilegeEscalation",
        'is not set, which violates Pod Security "restricted": allowPrivilegeEscalation != false',
        "restricted",
    ),
}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", MATRIX)
def test_each_level_refuses_exactly_what_it_forbids(name: str, level: str) -> None:
    case = MATRIX[name]
    found = problems(case.spec, level)
    if ORDER[level] < ORDER[case.refused_from]:
        assert found == [], f"{level} should admit {name}: {found}"
        return
    [problem] = [p for p in found if p.field == case.field] or [None]
    assert problem is not None, f"{level} should refuse {name} at {case.field}: {found}"
    message = str(problem)
    assert message.startswith(case.field + ": ")
    assert f'violates Pod Security "{level}": ' in message
    assert case.rule in message
    assert case.rules.get(level, "") in message


@pytest.mark.parametrize("name", MATRIX)
def test_the_fix_says_what_to_do_and_which_level_would_admit_it(name: str) -> None:
    case = MATRIX[name]
    [problem] = [p for p in problems(case.spec) if p.field == case.field]
    admits = "privileged" if case.refused_from == "baseline" else "baseline"
    assert problem.hint.endswith(f'or relax the operator\'s Pod Security level to "{admits}", on purpose')
    assert len(problem.hint) > len(admits) + 60  # the fix itself comes first


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("level", LEVELS)
def test_every_example_profile_passes_every_level_as_is(name: str, level: str) -> None:
    assert parse_profile(name, SPECS[name], pod_security=level).name == name


def test_the_default_profile_passes_restricted_as_is() -> None:
    profile = parse_profile("default", {})
    assert check_pod_security(final_pod_template(profile), None, "restricted") == []


@pytest.mark.parametrize("level", ["strict", "Restricted", "", None, 1])
def test_an_unknown_level_is_a_value_error_naming_the_levels(level: Any) -> None:
    with pytest.raises(ValueError, match="'restricted', 'baseline' or 'privileged'") as info:
        parse_profile("q", {}, pod_security=level)
    assert not isinstance(info.value, ProfileError)


def test_everything_is_reported_at_once_with_the_other_problems() -> None:
    spec = {
        "tolerations": [{"operator": "Equal"}],
        "env": [{"name": "K8S_TASKS_TASK_ID", "value": "x"}],
        "podTemplate": {
            "spec": {"hostNetwork": True, "tolerration": [], "securityContext": {"runAsUser": 0}}
        },
    }
    fields = [p.field for p in problems(spec)]
    assert fields == [
        "spec.env[0].name",
        "spec.tolerations[0].operator",
        "spec.podTemplate.spec.tolerration",
        "spec.podTemplate.spec.hostNetwork",
        "spec.podTemplate.spec.securityContext.runAsUser",
    ]
