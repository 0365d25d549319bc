"""The operator Deployment: the contract with k8s_tasks_operator, and secure defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_tasks_operator.config import parse_args

from .helm import FULLNAME, NAMESPACE, env_map, one, operator_container, render, render_error

FULL = Path(__file__).with_name("values-full.yaml")


def test_command_is_the_operator_watching_the_release_namespace_with_kopf_liveness() -> None:
    container = operator_container(render())
    assert container["command"] == [
        "python", "-m", "k8s_tasks_operator",
        "--namespace", NAMESPACE,
        "--liveness", "http://0.0.0.0:8080/healthz",
    ]  # fmt: skip
    assert container["ports"] == [{"name": "health", "containerPort": 8080, "protocol": "TCP"}]


def test_probes_hit_kopf_health_endpoint() -> None:
    container = operator_container(render({"health": {"port": 9000}}))
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert container["ports"][0]["containerPort"] == 9000
    assert container["command"][-1] == "http://0.0.0.0:9000/healthz"


def test_image_settings_and_database_secret() -> None:
    manifests = render(value_files=[FULL])
    container = operator_container(manifests)
    assert container["image"] == "registry.example.com/shop/app:2026.11.1"
    env = env_map(container)
    assert env["DJANGO_SETTINGS_MODULE"] == "shop.settings.production"
    assert env["K8S_TASKS_IMAGE"] == container["image"]
    assert env["K8S_TASKS_POLL_SECONDS"] == "2"
    assert env["POD_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert env["SENTRY_ENVIRONMENT"] == "production"
    assert container["envFrom"] == [{"secretRef": {"name": "shop-db"}}]
    assert one(manifests, "Deployment")["spec"]["replicas"] == 2


def test_no_credentials_as_plain_values() -> None:
    container = operator_container(render(value_files=[FULL]))
    for item in container["env"]:
        assert not any(word in item["name"].upper() for word in ("PASSWORD", "SECRET", "TOKEN"))


def test_defaults_without_settings_or_secret_leave_them_to_the_image() -> None:
    container = operator_container(render())
    env = env_map(container)
    assert "DJANGO_SETTINGS_MODULE" not in env
    assert "envFrom" not in container
    assert container["image"] == "k8s-tasks-app:0.1.0"
    assert one(render(), "Deployment")["spec"]["replicas"] == 1


def test_digest_pins_the_image() -> None:
    digest = "sha256:" + "ab" * 32
    container = operator_container(render({"image": {"digest": digest, "tag": "ignored"}}))
    assert container["image"] == f"k8s-tasks-app@{digest}"
    assert env_map(container)["K8S_TASKS_IMAGE"] == container["image"]


def test_secure_defaults() -> None:
    manifests = render()
    pod = one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["enableServiceLinks"] is False
    security = operator_container(manifests)["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["privileged"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    container = operator_container(manifests)
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert container["resources"]["limits"]["memory"] == "512Mi"
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}


def test_pod_disruption_budget_selects_the_operator_pods() -> None:
    manifests = render(value_files=[FULL])
    pdb = one(manifests, "PodDisruptionBudget")
    labels = one(manifests, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["metadata"]["name"] == FULLNAME


def test_migrations_hook_runs_before_install_with_the_same_image_settings_and_secret() -> None:
    manifests = render(value_files=[FULL])
    job = one(manifests, "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    pod = job["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["command"] == ["django-admin", "migrate", "--noinput"]
    assert container["image"] == operator_container(manifests)["image"]
    assert env_map(container)["DJANGO_SETTINGS_MODULE"] == "shop.settings.production"
    assert container["envFrom"] == [{"secretRef": {"name": "shop-db"}}]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_metrics_are_served_only_with_the_service_monitor() -> None:
    container = operator_container(render())
    assert "K8S_TASKS_METRICS" not in env_map(container)
    assert [p["name"] for p in container["ports"]] == ["health"]
    manifests = render({"serviceMonitor": {"enabled": True, "port": 9100}})
    container = operator_container(manifests)
    assert env_map(container)["K8S_TASKS_METRICS"] == "0.0.0.0:9100"
    assert {"name": "metrics", "containerPort": 9100, "protocol": "TCP"} in container["ports"]
    service = one(manifests, "Service")
    assert service["spec"]["ports"] == [
        {"name": "metrics", "port": 9100, "targetPort": "metrics", "protocol": "TCP"}
    ]


def test_metrics_port_must_not_be_the_health_port() -> None:
    error = render_error({"serviceMonitor": {"enabled": True, "port": 8080}})
    assert "serviceMonitor.port and health.port must differ" in error


@pytest.mark.parametrize("level", ["restricted", "baseline", "privileged"])
def test_pod_security_value_reaches_the_operators_setting(level: str) -> None:
    """operator.podSecurity sets K8S_TASKS_POD_SECURITY, which the operator's own parser reads."""
    values = {} if level == "restricted" else {"operator": {"podSecurity": level}}
    container = operator_container(render(values))
    env = {name: value for name, value in env_map(container).items() if isinstance(value, str)}
    assert env["K8S_TASKS_POD_SECURITY"] == level
    assert container["command"][:3] == ["python", "-m", "k8s_tasks_operator"]
    assert parse_args(container["command"][3:], env).pod_security == level
