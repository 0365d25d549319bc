"""The chart and the operator agree: every TaskQueue the chart renders is a valid profile for the
operator's model (k8s_tasks.profiles), bad queue values are refused by both, and the Jobs the operator
builds carry the chart's database Secret except for an isolated queue (its pods run sealed). Isolation
itself, the operator's NetworkPolicy: test_networkpolicy.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from k8s_tasks.profiles import ProfileError, TaskRef, build_job, parse_profile

from .helm import ROOT, by_kind, render, render_error

FULL = Path(__file__).with_name("values-full.yaml")
KIND = ROOT / "scripts" / "kind" / "values-kind.yaml"


@pytest.mark.parametrize("files", [(), (FULL,), (KIND,)], ids=["defaults", "full", "kind"])
def test_every_rendered_taskqueue_parses_as_an_operator_profile(files: tuple[Path, ...]) -> None:
    queues = by_kind(render(value_files=files), "TaskQueue")
    assert queues
    for queue in queues:
        profile = parse_profile(queue["metadata"]["name"], queue["spec"])
        assert profile.queue_name == queue["spec"]["queueName"]


@pytest.mark.parametrize(
    "spec",
    [
        {"concurrency": "lots"},
        {"resources": {"limits": {"memory": "lots"}}},
        {"concurency": 3},
        {"network": "private"},
        {"timeoutSeconds": 0},
        {"volumes": [{"name": "scratch"}]},
        {"retries": {"attempts": 0}},
        {"retries": {"attemps": 2}},
        {"nodeSelector": {"pool": 1.5}},
    ],
)
def test_bad_queue_values_are_refused_by_the_chart_and_by_the_operator(spec: dict[str, Any]) -> None:
    assert "values don't meet the specifications" in render_error({"queues": {"q": spec}})
    with pytest.raises(ProfileError):
        parse_profile("q", spec)


def test_operator_jobs_carry_the_database_secret_except_for_isolated_queues() -> None:
    manifests = render(value_files=[FULL])
    queues = by_kind(manifests, "TaskQueue")
    assert {q["spec"].get("network") for q in queues} == {None, "isolated"}
    for queue in queues:
        profile = parse_profile(queue["metadata"]["name"], queue["spec"])
        task = TaskRef(id="3f9c2a", attempt=1, task_path="shop.tasks.scan", queue_name=profile.queue_name)
        job = build_job(
            profile, task, namespace="tasks", default_image="app:1", settings_module="shop.settings"
        )
        pod = job["spec"]["template"]["spec"]
        envfrom = pod["containers"][0].get("envFrom", [])
        # an isolated queue's pods run sealed: no database, no Secret of the chart's
        wanted = queue["spec"].get("network") != "isolated"
        assert ({"secretRef": {"name": "shop-db"}} in envfrom) == wanted, queue["metadata"]["name"]
        if not wanted:
            assert not any("secretRef" in source for source in envfrom)
