"""The TaskQueue CRD: a valid apiextensions/v1 object, structural, in step with the pydantic model, and
permissive enough that semantic errors reach the operator's validation instead of being pruned."""

import subprocess
import sys
import typing
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from pydantic import BaseModel

from k8s_tasks.profiles import ProfileError, QueueSpec, parse_profile
from k8s_tasks_operator.crd import CRD_PATH, SCHEDULE_CRD_PATH, load_crd
from tests.conftest import ROOT

from .conftest import SPECS


def version() -> dict[str, Any]:
    (only,) = load_crd()["spec"]["versions"]
    return only


def spec_schema() -> dict[str, Any]:
    schema: dict[str, Any] = version()["schema"]["openAPIV3Schema"]["properties"]["spec"]
    return schema


def test_crd_is_a_valid_kubernetes_object() -> None:
    kubernetes_validate.validate(load_crd(), "1.37", strict=True)


def test_names_scope_and_status_subresource() -> None:
    crd = load_crd()
    assert crd["metadata"]["name"] == "taskqueues.k8stasks.io"
    assert crd["spec"]["group"] == "k8stasks.io"
    assert crd["spec"]["scope"] == "Namespaced"
    names = crd["spec"]["names"]
    assert (names["kind"], names["plural"], names["singular"], names["shortNames"]) == (
        "TaskQueue",
        "taskqueues",
        "taskqueue",
        ["tq"],
    )
    assert version()["name"] == "v1alpha1" and version()["served"] and version()["storage"]
    assert version()["subresources"] == {"status": {}}


def test_printer_columns() -> None:
    columns = {c["name"]: c["jsonPath"] for c in version()["additionalPrinterColumns"]}
    assert list(columns) == ["Queue", "Pool", "GPUs", "Ready", "Running", "Failed", "Valid", "Age"]
    assert columns["Queue"] == ".status.queueName"
    assert columns["Pool"] == ".status.pool"
    assert columns["Valid"] == '.status.conditions[?(@.type=="Valid")].status'


def walk(node: dict[str, Any], path: str = "") -> typing.Iterator[tuple[str, dict[str, Any]]]:
    yield path, node
    for name, child in (node.get("properties") or {}).items():
        yield from walk(child, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from walk(node[key], f"{path}[{key}]")


def test_schema_is_structural_and_keeps_unknown_fields() -> None:
    for path, node in walk(version()["schema"]["openAPIV3Schema"]):
        assert "type" in node or node.get("x-kubernetes-int-or-string"), path
        assert "pattern" not in node, path
        if path.startswith(".spec") and node.get("type") == "object" and "additionalProperties" not in node:
            assert node.get("x-kubernetes-preserve-unknown-fields") is True, path


def model_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {field.alias or name: field.annotation for name, field in model.model_fields.items()}


def nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = nested_model(arg)
        if found is not None:
            return found
    return None


def compare(model: type[BaseModel], schema: dict[str, Any], path: str) -> None:
    if schema.get("type") == "array":
        schema = schema["items"]
    fields = model_fields(model)
    assert set(schema["properties"]) == set(fields), path
    for alias, annotation in fields.items():
        inner = nested_model(annotation)
        child = schema["properties"][alias]
        if inner is not None and (child.get("properties") or child.get("items", {}).get("properties")):
            compare(inner, child, f"{path}.{alias}")


def test_crd_fields_match_the_pydantic_model() -> None:
    compare(QueueSpec, spec_schema(), "spec")


def validate_against_crd(spec: dict[str, Any]) -> None:
    schema = version()["schema"]["openAPIV3Schema"]
    jsonschema.validate({"apiVersion": "k8stasks.io/v1alpha1", "kind": "TaskQueue", "spec": spec}, schema)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_example_profiles_pass_the_crd_schema(name: str) -> None:
    validate_against_crd(SPECS[name])


@pytest.mark.parametrize(
    "spec",
    [{"resources": {"limits": {"memory": "lots"}}}, {"timeout": 30}, {"retries": {"atempts": 3}}],
)
def test_semantic_errors_pass_the_crd_and_reach_the_operator(spec: dict[str, Any]) -> None:
    validate_against_crd(spec)
    with pytest.raises(ProfileError):
        parse_profile("q", spec)


@pytest.mark.parametrize("spec", [{"concurrency": "three"}, {"nodeSelector": ["pool"]}, {"env": {"A": "1"}}])
def test_wrong_types_are_refused_by_the_crd(spec: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_against_crd(spec)


def test_module_prints_the_file() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "k8s_tasks_operator.crd"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == CRD_PATH.read_text() + "---\n" + SCHEDULE_CRD_PATH.read_text()  # both CRDs
