"""Every generated Job validates against the Kubernetes 1.37 OpenAPI schema (strict: no unknown fields)."""

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from k8s_tasks.profiles import TaskRef, build_job, parse_profile
from k8s_tasks.profiles.podtemplate import CONTAINER_FIELDS, POD_SPEC_FIELDS

from .conftest import SPECS


def validate(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, "1.37", strict=True)


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("attempt", [1, 7])
def test_job_manifests_are_valid_kubernetes(name: str, attempt: int, task: TaskRef) -> None:
    job = build_job(
        parse_profile(name, SPECS[name]),
        TaskRef(task.id, attempt, task.task_path, name, task.priority),
        namespace="apps",
        default_image="myapp:1.0",
        settings_module="myapp.settings",
        extra_env=[{"name": "K8S_TASKS_DB_HOST", "value": "db"}],
    )
    validate(job)


def test_the_validator_catches_a_broken_job(task: TaskRef) -> None:
    job = build_job(parse_profile("q", {}), task, namespace="n", default_image="i", settings_module="s")
    job["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = "yes"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(job)


def test_every_feature_at_once_is_valid(task: TaskRef) -> None:
    spec: dict[str, Any] = {}
    for name in ("gpu", "highmem", "isolated", "podtemplate"):
        spec.update(SPECS[name])
    spec["resources"] = SPECS["gpu"]["resources"]
    spec["volumes"] = SPECS["highmem"]["volumes"]
    job = build_job(parse_profile("all", spec), task, namespace="n", default_image="i", settings_module="s")
    validate(job)


def test_odd_ids_and_names_still_make_valid_jobs() -> None:
    task = TaskRef(
        id="Weird ID/with spaces_" + "9" * 80, attempt=12, task_path="pkg.mod." + "f" * 90, queue_name="q"
    )
    job = build_job(parse_profile("q", {}), task, namespace="n", default_image="i", settings_module="s")
    validate(job)


def test_pod_template_field_lists_match_the_kubernetes_schema() -> None:
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / "v1.37.0-local-strict"
    defs = json.loads((root / "_definitions.json").read_text())["$defs"]
    assert set(defs["io.k8s.api.core.v1.PodSpec"]["properties"]) == POD_SPEC_FIELDS
    assert set(defs["io.k8s.api.core.v1.Container"]["properties"]) == CONTAINER_FIELDS
