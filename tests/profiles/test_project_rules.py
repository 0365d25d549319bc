"""k8s-tasks' own rules for the final pod, refused at every Pod Security level ("privileged" too): no
ServiceAccount token unless the queue names a ServiceAccount, the runner's command and arguments and the
env k8s-tasks sets are not the podTemplate's to change, and no literal secret in any env."""

from typing import Any

import pytest

from k8s_tasks.profiles import parse_profile
from k8s_tasks.profiles.podsecurity import LEVELS

from .conftest import UUID
from .test_pod_security import SECURE, pod, problems

C = "spec.podTemplate.spec.containers[task]"
SIDECAR = {"name": "sidecar", "image": "busybox", "securityContext": SECURE}

# case: (spec, the field named, words of the message)
RULES: dict[str, tuple[dict[str, Any], str, str]] = {
    "token without a ServiceAccount": (
        pod(automountServiceAccountToken=True),
        "spec.podTemplate.spec.automountServiceAccountToken",
        "True mounts a ServiceAccount token, but the queue names no ServiceAccount",
    ),
    "token by default (null)": (
        pod(automountServiceAccountToken=None),
        "spec.podTemplate.spec.automountServiceAccountToken",
        "is null: Kubernetes mounts a ServiceAccount token",
    ),
    "projected token without a ServiceAccount": (
        pod(volumes=[{"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}]),
        "spec.podTemplate.spec.volumes[t].projected.sources[0].serviceAccountToken",
        "mounts a ServiceAccount token but the queue names no ServiceAccount",
    ),
    "the operator's ServiceAccount from the podTemplate": (
        pod(serviceAccountName="k8s-tasks-operator"),
        "spec.podTemplate.spec.serviceAccountName",
        "only spec.serviceAccountName names the queue's ServiceAccount",
    ),
    "serviceAccount (deprecated) from the podTemplate": (
        pod(serviceAccount="k8s-tasks-operator"),
        "spec.podTemplate.spec.serviceAccount",
        "names the pod's ServiceAccount in the podTemplate, which k8s-tasks does not count",
    ),
    "args running another task": (
        pod(containers=[{"name": "task", "args": ["run", UUID]}]),
        f"{C}.args",
        "overrides the runner's arguments",
    ),
    "command": (
        pod(containers=[{"name": "task", "command": ["sh", "-c", "env"]}]),
        f"{C}.command",
        "overrides the runner's command",
    ),
    "args removed": (pod(containers=[{"name": "task", "args": None}]), f"{C}.args", "overrides the runner's"),
    "task id in the task container's env": (
        pod(containers=[{"name": "task", "env": [{"name": "K8S_TASKS_TASK_ID", "value": UUID}]}]),
        f"{C}.env[K8S_TASKS_TASK_ID].name",
        "'K8S_TASKS_TASK_ID' is set by k8s-tasks itself",
    ),
    "any K8S_TASKS_ name in a sidecar": (
        pod(containers=[{**SIDECAR, "env": [{"name": "K8S_TASKS_SEALED", "value": "0"}]}]),
        "spec.podTemplate.spec.containers[sidecar].env[K8S_TASKS_SEALED].name",
        "is set by k8s-tasks itself",
    ),
    "settings module in an init container": (
        pod(initContainers=[{**SIDECAR, "env": [{"name": "DJANGO_SETTINGS_MODULE", "value": "x"}]}]),
        "spec.podTemplate.spec.initContainers[sidecar].env[DJANGO_SETTINGS_MODULE].name",
        "is set by k8s-tasks itself",
    ),
    "POD_NAME in an ephemeral container": (
        pod(ephemeralContainers=[{**SIDECAR, "env": [{"name": "POD_NAME", "value": "other"}]}]),
        "spec.podTemplate.spec.ephemeralContainers[sidecar].env[POD_NAME].name",
        "is set by k8s-tasks itself",
    ),
    "reserved name in the profile's env": (
        {"env": [{"name": "K8S_TASKS_ATTEMPT_OVERRIDE", "value": "1"}]},
        "spec.env[0].name",
        "is set by k8s-tasks itself",
    ),
    "DJANGO_SETTINGS_MODULE in the profile's env": (
        {"env": [{"name": "DJANGO_SETTINGS_MODULE", "value": "other.settings"}]},
        "spec.env[0].name",
        "is set by k8s-tasks itself",
    ),
    "envFrom prefix making K8S_TASKS_ names in a sidecar": (
        pod(containers=[{**SIDECAR, "envFrom": [{"prefix": "K8S_TASKS_", "configMapRef": {"name": "c"}}]}]),
        "spec.podTemplate.spec.containers[sidecar].envFrom[0].prefix",
        "'K8S_TASKS_' can define names k8s-tasks sets itself",
    ),
    "envFrom prefix making POD_NAME in the profile": (
        {"envFrom": [{"prefix": "POD_", "configMapRef": {"name": "c"}}]},
        "spec.envFrom[0].prefix",
        "can define names k8s-tasks sets itself",
    ),
    "literal DB_PASSWORD in an init container": (
        pod(
            initContainers=[
                {**SIDECAR, "name": "migrate", "env": [{"name": "DB_PASSWORD", "value": "hunter2"}]}
            ]
        ),
        "spec.podTemplate.spec.initContainers[migrate].env[DB_PASSWORD].value",
        "is a plain value for 'DB_PASSWORD' (credentials come from Secrets",
    ),
    "password in a URL in the task container": (
        pod(
            containers=[
                {"name": "task", "env": [{"name": "DATABASE_URL", "value": "postgres://a:hunter2@db/a"}]}
            ]
        ),
        f"{C}.env[DATABASE_URL].value",
        "contains a password in a URL",
    ),
    "literal token in an ephemeral container": (
        pod(ephemeralContainers=[{**SIDECAR, "env": [{"name": "GITHUB_TOKEN", "value": "hunter2"}]}]),
        "spec.podTemplate.spec.ephemeralContainers[sidecar].env[GITHUB_TOKEN].value",
        "is a plain value for 'GITHUB_TOKEN'",
    ),
}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", RULES)
def test_the_projects_rules_hold_at_every_level(name: str, level: str) -> None:
    spec, field, words = RULES[name]
    found = problems(spec, level)
    messages = [str(p) for p in found if p.field == field]
    assert len(messages) == 1, found
    assert messages[0].startswith(f"{field}: ")
    assert words in messages[0]
    assert not any("hunter2" in str(p) for p in found)  # a secret is never echoed


def test_a_named_service_account_may_have_its_token() -> None:
    spec = {"serviceAccountName": "files", **pod(automountServiceAccountToken=True)}
    assert problems(spec) == []
    projected = {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
    assert problems({"serviceAccountName": "files", **pod(volumes=[projected])}) == []
    # The podTemplate may repeat the profile's ServiceAccount, not name another.
    assert problems({"serviceAccountName": "files", **pod(serviceAccountName="files")}) == []
    [other] = problems({"serviceAccountName": "files", **pod(serviceAccountName="k8s-tasks-operator")})
    assert other.field == "spec.podTemplate.spec.serviceAccountName"
    assert "(files)" in other.reason


def test_a_podtemplate_service_account_does_not_count_as_naming_one() -> None:
    found = problems(pod(serviceAccountName="files", automountServiceAccountToken=True), "privileged")
    assert [p.field for p in found] == [
        "spec.podTemplate.spec.serviceAccountName",
        "spec.podTemplate.spec.automountServiceAccountToken",
    ]
    assert "spec.serviceAccountName" in found[0].hint and "spec.serviceAccountName" in found[1].hint


def test_ordinary_podtemplate_env_and_other_containers_commands_are_fine() -> None:
    spec = pod(
        containers=[
            {"name": "task", "env": [{"name": "EXTRA", "value": "1"}], "workingDir": "/app"},
            {
                **SIDECAR,
                "command": ["sleep", "infinity"],
                "env": [{"name": "PGPASSWORD_FILE", "value": "/s/p"}],
            },
        ],
        initContainers=[
            {
                **SIDECAR,
                "name": "wait",
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "d", "key": "p"}}}],
            }
        ],
    )
    assert problems(spec) == []
    assert (
        parse_profile("q", {"command": ["/venv/bin/python", "-m", "k8s_tasks"]}).container_command[0]
        == "/venv/bin/python"
    )


def test_the_hostile_podtemplate_of_the_issue_is_refused_in_full() -> None:
    """hostNetwork, hostPID, privileged, runAsUser 0, the pod securityContext null, a hostPath of /, a token
    with the operator's ServiceAccount, a literal DB_PASSWORD and args running another task: all at once."""
    spec = pod(
        hostNetwork=True,
        hostPID=True,
        securityContext=None,
        serviceAccountName="k8s-tasks-operator",
        automountServiceAccountToken=True,
        volumes=[{"name": "root", "hostPath": {"path": "/"}}],
        containers=[
            {
                "name": "task",
                "args": ["run", UUID],
                "securityContext": {"privileged": True, "runAsUser": 0},
                "env": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                "volumeMounts": [{"name": "root", "mountPath": "/host"}],
            }
        ],
    )
    expected = {
        "spec.podTemplate.spec.hostNetwork",
        "spec.podTemplate.spec.hostPID",
        "spec.podTemplate.spec.securityContext",
        "spec.podTemplate.spec.serviceAccountName",
        "spec.podTemplate.spec.automountServiceAccountToken",
        "spec.podTemplate.spec.volumes[root].hostPath",
        f"{C}.args",
        f"{C}.securityContext.privileged",
        f"{C}.securityContext.runAsUser",
        f"{C}.env[DB_PASSWORD].value",
    }
    assert {p.field for p in problems(spec)} == expected
    privileged_level = {p.field for p in problems(spec, "privileged")}
    assert privileged_level == {
        "spec.podTemplate.spec.serviceAccountName",
        "spec.podTemplate.spec.automountServiceAccountToken",
        f"{C}.args",
        f"{C}.env[DB_PASSWORD].value",
    }
