"""parse_profile: defaults, accepted specs, and the readable error for each kind of bad input."""

from typing import Any

import kopf
import pytest

from k8s_tasks.profiles import ProfileError, QueueProfile, parse_profile

from .conftest import SPECS


def test_defaults_are_documented_values() -> None:
    profile = parse_profile("default", {})
    assert profile.queue_name == "default"
    assert profile.concurrency == 1
    assert profile.network == "default"
    assert profile.timeout_seconds is None
    assert profile.max_pending_seconds == 600
    assert profile.ttl_seconds_after_finished == 3600
    assert profile.retries.attempts == 1
    assert profile.retries.infrastructure_attempts == 3
    assert profile.container_command == ["python", "-m", "k8s_tasks"]
    assert (profile.pool, profile.gpus) == ("any", "0")


def test_none_spec_is_an_empty_spec() -> None:
    assert parse_profile("emails", None).queue_name == "emails"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_example_profiles_parse(name: str) -> None:
    profile = parse_profile(name, SPECS[name])
    assert isinstance(profile, QueueProfile)
    assert profile.name == name


def test_gpu_profile_fields_are_snake_case_in_python() -> None:
    profile = parse_profile("gpu", SPECS["gpu"])
    assert profile.node_selector == {"pool": "gpu"}
    assert profile.resources.limits["nvidia.com/gpu"] == 1
    assert profile.max_pending_seconds == 120
    assert (profile.pool, profile.gpus) == ("pool=gpu", "1")


def test_queue_name_overrides_the_object_name() -> None:
    assert parse_profile("gpu-queue-object", {"queueName": "gpu"}).queue_name == "gpu"


def test_input_dict_is_not_modified() -> None:
    spec: dict[str, Any] = {"retries": {"attempts": 3}}
    parse_profile("q", spec)
    assert spec == {"retries": {"attempts": 3}}


def messages(spec: Any, name: str = "q") -> list[str]:
    with pytest.raises(ProfileError) as info:
        parse_profile(name, spec)
    assert str(info.value) == "; ".join(str(p) for p in info.value.problems)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"resources": {"limits": {"memory": "lots"}}},
            "spec.resources.limits.memory: 'lots' is not a Kubernetes quantity (use e.g. 512Mi or 2Gi)",
        ),
        (
            {"resources": {"requests": {"cpu": "fast"}}},
            "spec.resources.requests.cpu: 'fast' is not a Kubernetes quantity (use e.g. 500m or 2)",
        ),
        ({"timeout": 30}, "spec.timeout: unknown field (did you mean 'timeoutSeconds'?)"),
        ({"retries": {"atempts": 3}}, "spec.retries.atempts: unknown field (did you mean 'attempts'?)"),
        ({"timeoutSeconds": "30s"}, "spec.timeoutSeconds: '30s' is not a whole number (e.g. 30)"),
        ({"network": "private"}, "spec.network: 'private' is not one of 'default' or 'isolated'"),
        ({"concurrency": -1}, "spec.concurrency: -1 must be greater than or equal to 0"),
        ({"retries": {"attempts": 0}}, "spec.retries.attempts: 0 must be greater than or equal to 1"),
        ({"retries": {"jitter": 2}}, "spec.retries.jitter: 2 must be less than or equal to 1"),
        (
            {"nodeSelector": ["pool=gpu"]},
            "spec.nodeSelector: ['pool=gpu'] is not a mapping (write it as key: value",
        ),
        ({"tolerations": {"key": "x"}}, "spec.tolerations: {'key': 'x'} is not a list"),
        ({"volumes": [{"name": "scratch"}]}, "spec.volumes[0].mountPath: is required"),
        (
            {"volumes": [{"name": "s", "mountPath": "scratch"}]},
            "spec.volumes[0].mountPath: 'scratch' is not an absolute",
        ),
        (
            {"volumes": [{"name": "Scratch", "mountPath": "/s"}]},
            "spec.volumes[0].name: 'Scratch' is not a valid name",
        ),
        (
            {"nodeSelector": {"pool": "gpu nodes"}},
            "spec.nodeSelector.pool: 'gpu nodes' is not a valid label value",
        ),
        (
            {"labels": {"bad key!": "x"}},
            "spec.labels.bad key!: 'bad key!' is not a valid label or annotation key",
        ),
        (
            {"resources": {"limits": {"gpu": 1}}},
            "spec.resources.limits.gpu: 'gpu' is not a resource name (use cpu",
        ),
        ({"image": 5}, "spec.image: 5 is not a string"),
        ({"serviceAccountName": "My_SA"}, "spec.serviceAccountName: 'My_SA' is not a valid Kubernetes name"),
        (
            {"podTemplate": {"metadat": {}}},
            "spec.podTemplate.metadat: is not allowed here: use one of 'metadata'",
        ),
        ("gpu", "spec: 'gpu' is not a mapping"),
    ],
)
def test_structural_errors_name_field_value_and_fix(spec: Any, expected: str) -> None:
    found = messages(spec)
    assert any(m.startswith(expected) for m in found), found


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}},
            "spec.resources.requests.memory: '2Gi' is more than the limit '1Gi' (requests must be <= limits)",
        ),
        (
            {"resources": {"limits": {"nvidia.com/gpu": "0.5"}}},
            "spec.resources.limits['nvidia.com/gpu']: '0.5' is not a",
        ),
        (
            {"resources": {"requests": {"nvidia.com/gpu": 1}}},
            "spec.resources.requests['nvidia.com/gpu']: 1 is set without",
        ),
        (
            {"resources": {"requests": {"nvidia.com/gpu": 2}, "limits": {"nvidia.com/gpu": 1}}},
            "spec.resources.requests['nvidia.com/gpu']: 2 differs from the limit 1",
        ),
        ({"resources": {"limits": {"memory": "-1Gi"}}}, "spec.resources.limits.memory: '-1Gi' is negative"),
        (
            {"env": [{"name": "DB_PASSWORD", "value": "hunter2"}]},
            "spec.env[0].value: '<redacted>' is a plain value",
        ),
        (
            {"env": [{"name": "DATABASE_URL", "value": "postgres://u:pw@db/app"}]},
            "spec.env[0].value: '<redacted>' con",
        ),
        (
            {"env": [{"name": "POD_NAME", "value": "x"}]},
            "spec.env[0].name: 'POD_NAME' is set by k8s-tasks itself",
        ),
        (
            {"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]},
            "spec.env[1].name: 'A' is defined twice",
        ),
        ({"env": [{"name": "A", "valueFrom": {}}]}, "spec.env[0].valueFrom: [] must name exactly one source"),
        (
            {"envFrom": [{"prefix": "X_"}]},
            "spec.envFrom[0]: must name exactly one of secretRef or configMapRef",
        ),
        (
            {"tolerations": [{"key": "a", "operator": "Exists", "value": "b"}]},
            "spec.tolerations[0].value: 'b' must be",
        ),
        (
            {"tolerations": [{"operator": "Equal"}]},
            "spec.tolerations[0].operator: 'Equal' must be Exists when key",
        ),
        ({"volumes": [{"name": "tmp", "mountPath": "/data"}]}, "spec.volumes[0].name: 'tmp' is already used"),
        (
            {"volumes": [{"name": "t", "mountPath": "/tmp/"}]},
            "spec.volumes[0].mountPath: '/tmp/' is already mounted",
        ),
        (
            {"labels": {"k8stasks.io/queue": "x"}},
            "spec.labels['k8stasks.io/queue']: 'x' is a label k8s-tasks sets",
        ),
        (
            {"podTemplate": {"spec": {"restartPolicy": "OnFailure"}}},
            "spec.podTemplate.spec.restartPolicy: 'OnFailure'",
        ),
        (
            {"podTemplate": {"metadata": {"name": "x"}}},
            "spec.podTemplate.metadata.name: 'x' cannot be set on a task",
        ),
    ],
)
def test_semantic_errors_name_field_value_and_fix(spec: dict[str, Any], expected: str) -> None:
    found = messages(spec)
    assert any(m.startswith(expected) for m in found), found


def test_every_problem_is_reported_not_only_the_first() -> None:
    found = messages({"timeout": 1, "network": "x", "resources": {"limits": {"memory": "lots"}}})
    assert len(found) == 3


def test_error_exposes_field_value_reason_hint() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile("q", {"resources": {"limits": {"memory": "lots"}}})
    err = info.value
    assert (err.field, err.value, err.reason, err.hint) == (
        "spec.resources.limits.memory",
        "lots",
        "is not a Kubernetes quantity",
        "use e.g. 512Mi or 2Gi",
    )
    assert isinstance(err, ValueError)


def test_secret_value_is_never_echoed() -> None:
    found = messages({"env": [{"name": "API_KEY", "value": "sk-live-123"}]})
    assert not any("sk-live-123" in m for m in found)


def test_object_name_that_is_no_queue_name_needs_queue_name() -> None:
    found = messages({}, name="a" * 70)
    assert found[0].startswith("spec.queueName: is required")
    assert parse_profile("a" * 70, {"queueName": "long"}).queue_name == "long"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            {"spec": {"tolerration": []}},
            "spec.podTemplate.spec.tolerration: unknown field (did you mean 'tolerations'?)",
        ),
        (
            {"spec": {"containers": [{"name": "task", "workDir": "/app"}]}},
            "spec.podTemplate.spec.containers[0].workDir: unknown field (did you mean 'workingDir'?)",
        ),
        (
            {"spec": {"containers": [{"image": "x"}]}},
            "spec.podTemplate.spec.containers[0]: {'image': 'x'} needs a name",
        ),
        ({"spec": {"volumes": {"name": "x"}}}, "spec.podTemplate.spec.volumes: {'name': 'x'} is not a list"),
        (
            {"metadata": {"labels": {"app.kubernetes.io/managed-by": "me"}}},
            "spec.podTemplate.metadata.labels[",
        ),
    ],
)
def test_pod_template_mistakes_are_caught_before_any_job_is_refused(template: dict, expected: str) -> None:
    found = messages({"podTemplate": template})
    assert any(m.startswith(expected) for m in found), found


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "SECRET_KEY",
        "DJANGO_SECRET_KEY",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "OPENAI_API_KEY",
        "SMTP_PASS",
        "db_password",
        "CREDENTIALS",
    ],
)
def test_secret_looking_names_need_a_secret_reference(name: str) -> None:
    with pytest.raises(ProfileError):
        parse_profile("q", {"env": [{"name": name, "value": "x"}]})


@pytest.mark.parametrize(
    "name",
    ["TOKENIZERS_PARALLELISM", "HF_HUB_OFFLINE", "POSTGRES_PASSWORD_FILE", "KEYCLOAK_REALM", "PASSTHROUGH"],
)
def test_ordinary_names_may_have_plain_values(name: str) -> None:
    assert parse_profile("q", {"env": [{"name": name, "value": "false"}]}).env[0].value == "false"


def test_accepts_kopf_spec_mappings() -> None:
    body = kopf.Body({"metadata": {"name": "gpu"}, "spec": SPECS["gpu"]})
    profile = parse_profile(body.metadata.name or "", body.spec)
    assert (profile.pool, profile.gpus, profile.concurrency) == ("pool=gpu", "1", 2)
