"""operatorNetworkPolicy: an optional NetworkPolicy for the operator pod. It decides who may connect to its
metrics (the scraper namespace) and health endpoints (healthFrom; the kubelet probes from the pod's own
node, which the NetworkPolicy API always allows), and leaves the operator's egress alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from k8s_tasks.profiles import TaskRef, build_job
from k8s_tasks_operator.queues import load_queue

from .helm import CHART, FULLNAME, by_kind, one, operator_container, render, render_error

FULL = Path(__file__).with_name("values-full.yaml")
ON: dict[str, Any] = {"operatorNetworkPolicy": {"enabled": True}}


def policy(values: dict[str, Any]) -> dict[str, Any]:
    return one(render(values), "NetworkPolicy", f"{FULLNAME}-operator")


def test_off_by_default() -> None:
    assert by_kind(render(), "NetworkPolicy") == []


def test_it_selects_the_operator_pod_and_no_task_or_migration_pod() -> None:
    manifests = render(value_files=[FULL])
    selector = one(manifests, "NetworkPolicy")["spec"]["podSelector"]["matchLabels"].items()
    operator_pod = one(manifests, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert selector <= operator_pod.items()
    migrations_pod = one(manifests, "Job")["spec"]["template"]["metadata"]["labels"]
    assert not selector <= migrations_pod.items()
    for queue in by_kind(manifests, "TaskQueue"):
        state = load_queue(queue)
        assert state.profile is not None
        task = TaskRef(id="3f9c2a", attempt=1, task_path="shop.tasks.scan", queue_name=state.queue_name)
        job = build_job(state.profile, task, namespace="tasks", default_image="app:1", settings_module="s")
        assert not selector <= job["spec"]["template"]["metadata"]["labels"].items()


def test_ingress_only_metrics_from_the_scraper_namespace_and_no_rule_for_health() -> None:
    spec = policy(ON)["spec"]
    assert spec["policyTypes"] == ["Ingress"]  # the operator's egress (API server, database) is untouched
    assert "egress" not in spec
    assert spec["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"protocol": "TCP", "port": 9090}],
        }
    ]


def test_scraper_pods_are_the_namespace_and_the_selector_together() -> None:
    values = {
        "operatorNetworkPolicy": {
            "enabled": True,
            "scraperNamespace": "observability",
            "scraperPodSelector": {"app.kubernetes.io/name": "prometheus"},
        },
        "serviceMonitor": {"enabled": True, "port": 9100},
    }
    manifests = render(values)
    (rule,) = one(manifests, "NetworkPolicy")["spec"]["ingress"]
    # One peer with both selectors (both must match), not two peers (either would do).
    assert rule["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        }
    ]
    metrics_port = next(p for p in operator_container(manifests)["ports"] if p["name"] == "metrics")
    assert rule["ports"] == [{"protocol": "TCP", "port": metrics_port["containerPort"]}]


def test_health_port_admits_health_from() -> None:
    peers = [{"ipBlock": {"cidr": "10.0.0.0/16"}}]
    values = {"operatorNetworkPolicy": {"enabled": True, "healthFrom": peers}, "health": {"port": 8081}}
    manifests = render(values)
    ingress = one(manifests, "NetworkPolicy")["spec"]["ingress"]
    health_port = next(p for p in operator_container(manifests)["ports"] if p["name"] == "health")
    assert ingress[1] == {"from": peers, "ports": [{"protocol": "TCP", "port": health_port["containerPort"]}]}
    assert len(ingress) == 2


def test_a_bad_scraper_namespace_is_refused() -> None:
    error = render_error({"operatorNetworkPolicy": {"enabled": True, "scraperNamespace": "Monitoring!"}})
    assert "at '/operatorNetworkPolicy/scraperNamespace'" in error


def readme_section() -> str:
    text = (CHART / "README.md").read_text()
    return text[text.index("## What the endpoints expose") :]


def test_the_readme_example_renders_the_policy_it_describes() -> None:
    section = readme_section()
    start = section.index("```yaml\n") + len("```yaml\n")
    example = yaml.safe_load(section[start : section.index("```", start)])
    (rule,) = policy(example)["spec"]["ingress"]
    assert rule["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        }
    ]
    assert rule["ports"] == [{"protocol": "TCP", "port": 9090}]
