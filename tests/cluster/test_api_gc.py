"""Deletion through the kubernetes client: finalizers, deletionTimestamp, owner-reference garbage
collection with each propagation policy, graceful deletion of a running pod, CRDs served on creation."""

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from tests.waiting import wait_until

from .conftest import PY, WIDGET_CRD, job_manifest, running_pod


def owned_cm(name: str, owner) -> dict:
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": owner.metadata.name, "uid": owner.metadata.uid}
    return {"metadata": {"name": name, "ownerReferences": [ref]}}


def exists(core: client.CoreV1Api, name: str) -> bool:
    try:
        core.read_namespaced_config_map(name, "default")
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    return True


def test_finalizer_holds_deletion_until_removed(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", {"metadata": {"name": "fin", "finalizers": ["x.io/hold"]}})
    core.delete_namespaced_config_map("fin", "default")
    held = core.read_namespaced_config_map("fin", "default")
    assert held.metadata.deletion_timestamp is not None and held.metadata.finalizers == ["x.io/hold"]
    core.patch_namespaced_config_map("fin", "default", {"metadata": {"finalizers": None}})
    assert not exists(core, "fin")


def test_background_deletion_collects_dependents(core: client.CoreV1Api) -> None:
    owner = core.create_namespaced_config_map("default", {"metadata": {"name": "owner"}})
    core.create_namespaced_config_map("default", owned_cm("child", owner))
    core.delete_namespaced_config_map("owner", "default", propagation_policy="Background")
    assert not exists(core, "owner") and not exists(core, "child")


def test_orphan_deletion_keeps_dependents_without_the_reference(core: client.CoreV1Api) -> None:
    owner = core.create_namespaced_config_map("default", {"metadata": {"name": "owner"}})
    core.create_namespaced_config_map("default", owned_cm("child", owner))
    core.delete_namespaced_config_map("owner", "default", propagation_policy="Orphan")
    assert not exists(core, "owner")
    assert core.read_namespaced_config_map("child", "default").metadata.owner_references is None


def test_foreground_deletion_waits_for_dependents(core: client.CoreV1Api) -> None:
    owner = core.create_namespaced_config_map("default", {"metadata": {"name": "owner"}})
    child = owned_cm("child", owner)
    child["metadata"]["finalizers"] = ["x.io/slow"]
    core.create_namespaced_config_map("default", child)
    core.delete_namespaced_config_map("owner", "default", propagation_policy="Foreground")
    waiting = core.read_namespaced_config_map("owner", "default")
    assert "foregroundDeletion" in waiting.metadata.finalizers and waiting.metadata.deletion_timestamp
    core.patch_namespaced_config_map("child", "default", {"metadata": {"finalizers": None}})
    assert not exists(core, "child") and not exists(core, "owner")


def test_running_pod_is_deleted_gracefully(core: client.CoreV1Api, batch: client.BatchV1Api) -> None:
    batch.create_namespaced_job("default", job_manifest("sleeper", [PY, "-c", "import time; time.sleep(60)"]))
    pod = running_pod(core, "sleeper")
    core.delete_namespaced_pod(pod.metadata.name, "default", grace_period_seconds=5)
    wait_until(
        lambda: (
            not core.list_namespaced_pod("default", field_selector=f"metadata.name={pod.metadata.name}").items
        ),
        what="the kubelet to stop the pod and remove it",
    )


def test_crd_is_served_as_soon_as_it_is_created(api: client.ApiClient) -> None:
    client.ApiextensionsV1Api(api).create_custom_resource_definition(WIDGET_CRD)
    custom = client.CustomObjectsApi(api)
    made = custom.create_namespaced_custom_object(
        "example.com",
        "v1",
        "default",
        "widgets",
        {
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "w"},
            "spec": {"size": 3, "colour": "red"},
            "status": {"ignored": True},
        },
    )
    assert made["spec"] == {"size": 3}  # unknown fields pruned, status dropped on create
    assert "status" not in made
    with pytest.raises(ApiException) as error:
        custom.create_namespaced_custom_object(
            "example.com",
            "v1",
            "default",
            "widgets",
            {
                "apiVersion": "example.com/v1",
                "kind": "Widget",
                "metadata": {"name": "bad"},
                "spec": {"size": "big"},
            },
        )
    assert error.value.status == 422 and "spec.size" in error.value.body
    custom.patch_namespaced_custom_object_status(
        "example.com", "v1", "default", "widgets", "w", {"status": {"phase": "Ready"}}
    )
    assert custom.get_namespaced_custom_object("example.com", "v1", "default", "widgets", "w")["status"] == {
        "phase": "Ready"
    }
    client.ApiextensionsV1Api(api).delete_custom_resource_definition("widgets.example.com")
    with pytest.raises(ApiException) as gone:
        custom.list_namespaced_custom_object("example.com", "v1", "default", "widgets")
    assert gone.value.status == 404


def test_eviction_api_marks_disruption_target_and_deletes(
    core: client.CoreV1Api, batch: client.BatchV1Api
) -> None:
    batch.create_namespaced_job("default", job_manifest("evictee", [PY, "-c", "import time; time.sleep(60)"]))
    pod = running_pod(core, "evictee")
    name = pod.metadata.name
    since = core.list_namespaced_pod("default").metadata.resource_version
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}}
    core.create_namespaced_pod_eviction(name, "default", eviction)
    # the kubelet may stop and remove the pod at once: read what happened from a watch, in order
    seen = []
    for event in watch.Watch().stream(
        core.list_namespaced_pod,
        "default",
        resource_version=since,
        field_selector=f"metadata.name={name}",
        timeout_seconds=20,
    ):
        seen.append(event)
        if event["type"] == "DELETED":
            break
    assert seen[-1]["type"] == "DELETED"
    marked = next(e["object"] for e in seen if e["object"].metadata.deletion_timestamp)
    (condition,) = [c for c in marked.status.conditions if c.type == "DisruptionTarget"]
    assert condition.reason == "EvictionByEvictionAPI" and condition.status == "True"
