"""Deployments on the local cluster: ReplicaSets named by pod-template-hash, pods, status and conditions that
`kubectl rollout status` reads, the scale subresource (kubectl scale, GET/PUT), rolling updates, rollback,
Recreate and the revision history limit."""

import json

import pytest
from kubernetes import client

from tests.waiting import wait_until

pytestmark = pytest.mark.cluster(runtime="fake")


def deployment(name: str, replicas: int = 2, image: str = "web:1", **spec: object) -> dict:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
            **spec,
        },
    }


def owned_replica_sets(apps: client.AppsV1Api, name: str) -> list[client.V1ReplicaSet]:
    items = apps.list_namespaced_replica_set("default", label_selector=f"app={name}").items
    return sorted(items, key=lambda rs: int(rs.metadata.annotations["deployment.kubernetes.io/revision"]))


def rolled_out(apps: client.AppsV1Api, name: str, replicas: int) -> client.V1Deployment | None:
    d = apps.read_namespaced_deployment(name, "default")
    s = d.status
    done = (
        s.observed_generation == d.metadata.generation
        and (s.updated_replicas, s.replicas, s.available_replicas, s.ready_replicas) == (replicas,) * 4
    )
    return d if done else None


@pytest.fixture
def apps(api: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(api)


def test_deployment_makes_a_replica_set_and_pods_and_reports_status(apps, core, kubectl) -> None:
    created = apps.create_namespaced_deployment("default", deployment("web", replicas=3))
    spec = created.spec
    assert (spec.strategy.type, spec.strategy.rolling_update.max_surge) == ("RollingUpdate", "25%")
    assert (spec.revision_history_limit, spec.progress_deadline_seconds) == (10, 600)
    done = wait_until(lambda: rolled_out(apps, "web", 3), what="web rolled out")
    [rs] = owned_replica_sets(apps, "web")
    pod_hash = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == f"web-{pod_hash}" and set(pod_hash) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert rs.spec.selector.match_labels == {"app": "web", "pod-template-hash": pod_hash}
    assert rs.metadata.owner_references[0].kind == "Deployment" and rs.metadata.owner_references[0].controller
    assert rs.metadata.annotations["deployment.kubernetes.io/revision"] == "1"
    pods = core.list_namespaced_pod("default", label_selector=f"pod-template-hash={pod_hash}").items
    assert len(pods) == 3 and all(p.metadata.name.startswith(f"web-{pod_hash}-") for p in pods)
    conditions = {c.type: (c.status, c.reason) for c in done.status.conditions}
    assert conditions == {
        "Available": ("True", "MinimumReplicasAvailable"),
        "Progressing": ("True", "NewReplicaSetAvailable"),
    }
    assert done.metadata.annotations["deployment.kubernetes.io/revision"] == "1"
    assert kubectl("rollout", "status", "deployment/web", "--timeout=30s").stdout.strip() == (
        'deployment "web" successfully rolled out'
    )
    row = kubectl("get", "deployment", "web", "--no-headers").stdout.split()
    assert row[:4] == ["web", "3/3", "3", "3"]


def test_scale_subresource_get_put_and_kubectl_scale(apps, kubectl) -> None:
    apps.create_namespaced_deployment("default", deployment("scaled", replicas=1))
    wait_until(lambda: rolled_out(apps, "scaled", 1), what="scaled rolled out")
    scale = apps.read_namespaced_deployment_scale("scaled", "default")
    assert (scale.spec.replicas, scale.status.replicas, scale.status.selector) == (1, 1, "app=scaled")
    assert (
        kubectl("scale", "deployment/scaled", "--replicas=4").stdout.strip()
        == "deployment.apps/scaled scaled"
    )
    wait_until(lambda: rolled_out(apps, "scaled", 4), what="scaled to 4")
    scale = apps.read_namespaced_deployment_scale("scaled", "default")
    scale.spec.replicas = 2
    assert apps.replace_namespaced_deployment_scale("scaled", "default", scale).spec.replicas == 2
    wait_until(lambda: rolled_out(apps, "scaled", 2), what="scaled down to 2")
    rs = owned_replica_sets(apps, "scaled")[0].metadata.name
    kubectl("scale", f"replicaset/{rs}", "--replicas=3")  # its Deployment sets it back, as upstream
    wait_until(
        lambda: apps.read_namespaced_replica_set_scale(rs, "default").spec.replicas == 2, what="reverted"
    )
    refused = kubectl("scale", "deployment/scaled", "--replicas=2", "--current-replicas=9", check=False)
    assert refused.returncode != 0 and "Expected replicas to be 9, was 2" in refused.stderr


def test_rolling_update_rollback_and_history(apps, kubectl) -> None:
    apps.create_namespaced_deployment("default", deployment("roll", replicas=4, revisionHistoryLimit=1))
    wait_until(lambda: rolled_out(apps, "roll", 4), what="roll v1")
    kubectl("set", "image", "deployment/roll", "app=web:2")
    kubectl("rollout", "status", "deployment/roll", "--timeout=60s")
    first, second = owned_replica_sets(apps, "roll")
    assert (first.spec.replicas, second.spec.replicas) == (0, 4)
    assert second.spec.template.spec.containers[0].image == "web:2"
    events = kubectl("get", "events", "--field-selector", "reason=ScalingReplicaSet", "-o", "json").stdout
    messages = [e["message"] for e in json.loads(events)["items"]]
    assert f"Scaled up replica set {second.metadata.name} from 0 to 1" in messages
    assert any(m.startswith(f"Scaled down replica set {first.metadata.name} from 4 to") for m in messages)
    kubectl("rollout", "undo", "deployment/roll")
    kubectl("rollout", "status", "deployment/roll", "--timeout=60s")
    back = {rs.metadata.name: rs for rs in owned_replica_sets(apps, "roll")}
    assert back[first.metadata.name].spec.replicas == 4  # the old template's ReplicaSet is current again
    assert back[first.metadata.name].metadata.annotations["deployment.kubernetes.io/revision"] == "3"
    kubectl("set", "image", "deployment/roll", "app=web:3")
    kubectl("rollout", "status", "deployment/roll", "--timeout=60s")
    # revisionHistoryLimit 1: one idle old ReplicaSet is kept
    wait_until(lambda: len(owned_replica_sets(apps, "roll")) == 2, what="the oldest ReplicaSet pruned")


def test_recreate_stops_old_pods_before_starting_new_ones(apps, kubectl) -> None:
    apps.create_namespaced_deployment(
        "default", deployment("recreate", replicas=2, strategy={"type": "Recreate"})
    )
    wait_until(lambda: rolled_out(apps, "recreate", 2), what="recreate v1")
    kubectl("set", "image", "deployment/recreate", "app=web:2")
    kubectl("rollout", "status", "deployment/recreate", "--timeout=60s")
    old, new = owned_replica_sets(apps, "recreate")
    assert (old.spec.replicas, new.spec.replicas) == (0, 2)
    assert apps.read_namespaced_deployment("recreate", "default").spec.strategy.rolling_update is None


def test_a_replica_set_of_its_own_keeps_its_pods(apps, core, kubectl) -> None:
    body = deployment("solo", replicas=2)
    body["kind"] = "ReplicaSet"
    apps.create_namespaced_replica_set("default", body)

    def pods() -> list[client.V1Pod]:
        return core.list_namespaced_pod("default", label_selector="app=solo").items

    wait_until(lambda: len(pods()) == 2, what="two pods")
    kubectl("scale", "replicaset/solo", "--replicas=3")
    wait_until(
        lambda: apps.read_namespaced_replica_set("solo", "default").status.ready_replicas == 3, what="3"
    )
    victim = pods()[0].metadata.name
    core.delete_namespaced_pod(victim, "default", grace_period_seconds=0)
    wait_until(lambda: victim not in {p.metadata.name for p in pods()} and len(pods()) == 3, what="replaced")
    kubectl("scale", "replicaset/solo", "--replicas=1")
    wait_until(lambda: len([p for p in pods() if not p.metadata.deletion_timestamp]) == 1, what="scaled down")
