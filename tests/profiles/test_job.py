"""build_job: identity labels, the command, env, secure defaults, resources, volumes, podTemplate."""

from typing import Any

import pytest

from k8s_tasks.profiles import TaskRef, build_job, job_name, parse_profile

from .conftest import SPECS, UUID


def make(spec: dict[str, Any], task: TaskRef, **kwargs: Any) -> dict[str, Any]:
    options = {
        "namespace": "apps",
        "default_image": "myapp:1.0",
        "settings_module": "myapp.settings",
        **kwargs,
    }
    return build_job(parse_profile(task.queue_name, spec), task, **options)


def pod_of(job: dict[str, Any]) -> dict[str, Any]:
    return job["spec"]["template"]["spec"]


def container_of(job: dict[str, Any]) -> dict[str, Any]:
    (container,) = [c for c in pod_of(job)["containers"] if c["name"] == "task"]
    return container


def env_of(job: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container_of(job)["env"]}


def test_job_identity(task: TaskRef) -> None:
    job = make({}, task)
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job"
    assert job["metadata"]["name"] == job_name(UUID, 1)
    assert job["metadata"]["namespace"] == "apps"
    expected = {
        "app.kubernetes.io/managed-by": "k8s-tasks",
        "k8stasks.io/task-id": UUID,
        "k8stasks.io/queue": "gpu",
        "k8stasks.io/task-name": "send_video",
        "k8stasks.io/attempt": "1",
    }
    assert job["metadata"]["labels"] == expected
    assert job["spec"]["template"]["metadata"]["labels"] == expected
    annotations = job["metadata"]["annotations"]
    assert annotations["k8stasks.io/task-path"] == "myapp.tasks.send_video"
    assert annotations["k8stasks.io/attempt"] == "1"
    assert annotations["k8stasks.io/priority"] == "5"


def test_one_attempt_per_job(task: TaskRef) -> None:
    spec = make({}, task)["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["completions"] == spec["parallelism"] == 1
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert "activeDeadlineSeconds" not in spec
    assert spec["ttlSecondsAfterFinished"] == 3600


def test_command_and_args(task: TaskRef) -> None:
    container = container_of(make({}, task))
    assert container["image"] == "myapp:1.0"
    assert container["command"] == ["python", "-m", "k8s_tasks"]
    assert container["args"] == ["run", UUID]
    custom = container_of(make(SPECS["custom"], task))
    assert custom["image"] == "registry.example.com/app:2.1"
    assert custom["command"] == ["/app/.venv/bin/python", "-m", "k8s_tasks"]
    assert custom["args"] == ["run", UUID]


def test_env(task: TaskRef) -> None:
    env = env_of(make({}, task, extra_env=[{"name": "K8S_TASKS_DB_NAME", "value": "app"}]))
    assert env["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    # The pod's identity from its own metadata (downward API), which a profile cannot change.
    assert env["K8S_TASKS_ATTEMPT"] == {
        "fieldRef": {"fieldPath": "metadata.annotations['k8stasks.io/attempt']"}
    }
    assert env["K8S_TASKS_TASK_ID"] == {
        "fieldRef": {"fieldPath": "metadata.annotations['k8stasks.io/task-id']"}
    }
    assert env["K8S_TASKS_JOB_NAME"] == {"fieldRef": {"fieldPath": "metadata.labels['job-name']"}}
    assert env["DJANGO_SETTINGS_MODULE"] == "myapp.settings"
    assert env["K8S_TASKS_DB_NAME"] == "app"


def test_profile_env_and_env_from_come_last(task: TaskRef) -> None:
    # (DJANGO_SETTINGS_MODULE and the other names k8s-tasks sets are refused in a profile's env: see
    # test_project_rules.py; the profile's env still overrides the operator's extra_env.)
    job = make(SPECS["custom"], task, extra_env=[{"name": "DB_HOST", "value": "from-operator"}])
    env = env_of(job)
    assert env["DB_HOST"] == "postgres.db.svc"
    assert env["DB_PASSWORD"] == {"secretKeyRef": {"name": "db", "key": "password"}}
    names = [e["name"] for e in container_of(job)["env"]]
    assert len(names) == len(set(names))
    assert container_of(job)["envFrom"] == [
        {"secretRef": {"name": "app-secrets"}},
        {"prefix": "APP_", "configMapRef": {"name": "app-config"}},
    ]


@pytest.mark.parametrize(
    "var",
    [{"name": "DB_PASSWORD", "value": "x"}, {"name": "DATABASE_URL", "value": "postgres://app:pw@db/app"}],
)
def test_extra_env_may_not_carry_plain_credentials(task: TaskRef, var: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=var["name"]):
        make({}, task, extra_env=[var])


def test_secure_defaults(task: TaskRef) -> None:
    job = make({}, task)
    pod = pod_of(job)
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "fsGroup": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    container = container_of(job)
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {}} in pod["volumes"]


def test_gpu_placement_and_resources(task: TaskRef) -> None:
    job = make(SPECS["gpu"], task)
    pod = pod_of(job)
    assert pod["nodeSelector"] == {"pool": "gpu"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert pod["priorityClassName"] == "gpu-batch"
    assert pod["runtimeClassName"] == "nvidia"
    assert container_of(job)["resources"] == {
        "requests": {"cpu": "2", "memory": "8Gi"},
        "limits": {"memory": "8Gi", "nvidia.com/gpu": "1"},
    }
    # A second more than timeoutSeconds: the Job's startTime is kept in whole seconds (profiles.job).
    assert job["spec"]["activeDeadlineSeconds"] == 3601
    assert job["metadata"]["annotations"]["k8stasks.io/timeout-seconds"] == "3600"


def test_scratch_volumes(task: TaskRef) -> None:
    job = make(SPECS["highmem"], task)
    assert {"name": "scratch", "emptyDir": {"sizeLimit": "100Gi"}} in pod_of(job)["volumes"]
    assert {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}} in pod_of(job)["volumes"]
    assert {"name": "scratch", "mountPath": "/scratch"} in container_of(job)["volumeMounts"]
    assert job["spec"]["ttlSecondsAfterFinished"] == 600


def test_isolated_queue_pods_carry_the_network_label(task: TaskRef) -> None:
    job = make(SPECS["isolated"], task)
    assert job["spec"]["template"]["metadata"]["labels"]["k8stasks.io/network"] == "isolated"
    assert job["spec"]["template"]["metadata"]["labels"]["team"] == "files"
    assert pod_of(job)["serviceAccountName"] == "untrusted-files"
    assert "k8stasks.io/network" not in make({}, task)["spec"]["template"]["metadata"]["labels"]


def test_isolated_queue_pods_are_sealed(task: TaskRef) -> None:
    """Their task comes in the attempt's Secret (named like the Job), mounted read-only; no Secret in env."""
    job = make(SPECS["isolated"], task)
    name = job["metadata"]["name"]
    env = env_of(job)
    assert env["K8S_TASKS_SEALED"] == "1"
    assert env["K8S_TASKS_SEALED_PATH"] == "/var/run/k8s-tasks/task/task.json"
    assert {
        "name": "k8s-tasks-task",
        "secret": {"secretName": name, "defaultMode": 0o440, "optional": False},
    } in (pod_of(job)["volumes"])
    mount = {"name": "k8s-tasks-task", "mountPath": "/var/run/k8s-tasks/task", "readOnly": True}
    assert mount in container_of(job)["volumeMounts"]
    text = str(job)
    assert "secretKeyRef" not in text and "secretRef" not in text
    assert "K8S_TASKS_SEALED" not in str(make({}, task))


def test_pod_template_is_merged_last(task: TaskRef) -> None:
    job = make(SPECS["podtemplate"], task)
    pod = pod_of(job)
    assert pod["securityContext"]["runAsUser"] == 2000
    assert "fsGroup" not in pod["securityContext"]
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["terminationGracePeriodSeconds"] == 60
    assert {v["name"] for v in pod["volumes"]} == {"tmp", "models"}
    container = container_of(job)
    assert container["workingDir"] == "/app"
    assert container["args"] == ["run", UUID]
    assert env_of(job)["EXTRA"] == "1" and env_of(job)["POD_NAME"]
    meta = job["spec"]["template"]["metadata"]
    assert meta["labels"]["sidecar"] == "none"
    assert meta["labels"]["k8stasks.io/task-id"] == UUID


def test_odd_task_ids_and_queue_names_stay_valid() -> None:
    task = TaskRef(id="Task With Spaces/" + "x" * 80, attempt=3, task_path="a.b.c" * 30, queue_name="q")
    job = build_job(parse_profile("q", {}), task, namespace="n", default_image="i", settings_module="s")
    labels = job["metadata"]["labels"]
    assert all(len(v) <= 63 for v in labels.values())
    assert job["metadata"]["annotations"]["k8stasks.io/task-id"] == task.id
    assert container_of(job)["args"] == ["run", task.id]


def test_build_job_does_not_share_state_between_calls(task: TaskRef) -> None:
    profile = parse_profile("gpu", SPECS["podtemplate"])
    first = build_job(profile, task, namespace="n", default_image="i", settings_module="s")
    pod_of(first)["volumes"].append({"name": "mutated"})
    second = build_job(profile, task, namespace="n", default_image="i", settings_module="s")
    assert {"name": "mutated"} not in pod_of(second)["volumes"]


def test_manifest_shares_no_mutable_state_with_the_profile(task: TaskRef) -> None:
    profile = parse_profile("q", SPECS["podtemplate"])
    job = build_job(profile, task, namespace="n", default_image="i", settings_module="s")
    pod_of(job)["affinity"]["nodeAffinity"].clear()
    pod_of(job).setdefault("nodeSelector", {})["x"] = "y"
    again = build_job(profile, task, namespace="n", default_image="i", settings_module="s")
    assert pod_of(again)["affinity"]["nodeAffinity"]
    assert "nodeSelector" not in pod_of(again)
