"""values.schedules -> one TaskSchedule per entry, its spec as given; the values schema refuses wrong
types, unknown fields and bad names at `helm install`; what it renders is valid for the CRD and for the
operator's own checks."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from k8s_tasks.schedules.spec import parse_spec
from k8s_tasks_operator.crd import load_schedule_crd

from .helm import NAMESPACE, by_kind, render, render_error

NIGHTLY = {
    "schedule": "30 2 * * *",
    "timeZone": "Europe/Berlin",
    "task": "tests.tasks.echo",
    "kwargs": {"report": "nightly", "recipients": ["ops@example.com"]},
    "queueName": "default",
    "concurrencyPolicy": "Forbid",
    "startingDeadlineSeconds": 3600,
}


def schedules(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["metadata"]["name"]: s for s in by_kind(render(values), "TaskSchedule")}


def test_no_schedules_by_default() -> None:
    assert schedules({}) == {}


def test_one_taskschedule_per_entry_with_its_spec_as_given() -> None:
    found = schedules(
        {
            "schedules": {
                "nightly-report": NIGHTLY,
                "hourly.cleanup": {"schedule": "@hourly", "task": "tests.tasks.add", "args": [1, 2]},
            }
        }
    )
    assert sorted(found) == ["hourly.cleanup", "nightly-report"]
    nightly = found["nightly-report"]
    assert nightly["apiVersion"] == "k8stasks.io/v1alpha1"
    assert nightly["metadata"]["namespace"] == NAMESPACE
    assert nightly["metadata"]["labels"]["app.kubernetes.io/name"] == "k8s-tasks"
    assert nightly["spec"] == NIGHTLY
    assert found["hourly.cleanup"]["spec"]["args"] == [1, 2]


def test_what_it_renders_passes_the_crd_and_the_operators_checks() -> None:
    crd = load_schedule_crd()
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    for schedule in schedules({"schedules": {"nightly-report": NIGHTLY}}).values():
        jsonschema.validate(schedule, schema)
        spec = parse_spec(schedule["spec"])
        assert (spec.zone.key, spec.policy, spec.deadline_seconds) == ("Europe/Berlin", "Forbid", 3600)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"Nightly": NIGHTLY}, "Nightly"),  # not a DNS subdomain
        ({"nightly": {**NIGHTLY, "concurrencyPolicy": "forbid"}}, "concurrencyPolicy"),
        ({"nightly": {**NIGHTLY, "schedul": "x"}}, "schedul"),
        ({"nightly": {"schedule": "@daily"}}, "task"),
        ({"nightly": {**NIGHTLY, "task": "report"}}, "task"),  # not a dotted path
        ({"nightly": {**NIGHTLY, "priority": 101}}, "priority"),
        ({"nightly": {**NIGHTLY, "startingDeadlineSeconds": -5}}, "startingDeadlineSeconds"),
        ({"nightly": {**NIGHTLY, "suspend": "yes"}}, "suspend"),
    ],
)
def test_the_schema_refuses_bad_schedules(values: dict[str, Any], message: str) -> None:
    assert message in render_error({"schedules": values})
