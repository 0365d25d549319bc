"""Watch through the kubernetes client: resume from a resourceVersion, 410 Gone, selectors, bookmarks,
timeouts, dropped streams; and injected API faults."""

import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from k8s_tasks.testing.cluster import LocalCluster


def cm(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}


def events(core: client.CoreV1Api, **kwargs) -> list[tuple[str, str, str]]:
    """All events of one watch call that ends by its timeoutSeconds: (type, name, resourceVersion)."""
    stream = watch.Watch().stream(core.list_namespaced_config_map, "default", **kwargs)
    return [(e["type"], e["object"].metadata.name, e["object"].metadata.resource_version) for e in stream]


def test_watch_resumes_from_a_resource_version(core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", cm("w1"))
    core.patch_namespaced_config_map("w1", "default", {"data": {"k": "2"}})
    core.delete_namespaced_config_map("w1", "default")
    seen = events(core, resource_version=rv, timeout_seconds=1)
    assert [(t, n) for t, n, _ in seen] == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    versions = [int(v) for _, _, v in seen]
    assert versions == sorted(versions) and versions[0] > int(rv)
    # resuming from the middle replays only what came after
    later = events(core, resource_version=str(versions[0]), timeout_seconds=1)
    assert [t for t, _, _ in later] == ["MODIFIED", "DELETED"]


def test_watch_without_version_starts_with_the_current_state(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", cm("existing"))
    seen = events(core, timeout_seconds=1)
    assert ("ADDED", "existing") in [(t, n) for t, n, _ in seen]


def test_too_old_resource_version_is_410_gone(core: client.CoreV1Api, local_cluster: LocalCluster) -> None:
    rv = core.create_namespaced_config_map("default", cm("old")).metadata.resource_version
    core.patch_namespaced_config_map("old", "default", {"data": {"k": "2"}})
    local_cluster.call(local_cluster.store.compact)
    with pytest.raises(ApiException) as error:  # the client raises the ERROR event kube-apiserver sends
        events(core, resource_version=rv, timeout_seconds=1)
    assert error.value.status == 410 and "too old resource version" in error.value.reason
    fresh = core.list_namespaced_config_map("default").metadata.resource_version
    assert events(core, resource_version=fresh, timeout_seconds=1) == []


def test_watch_label_selector_sends_added_and_deleted_on_label_changes(core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", cm("sel", role="x"))
    core.create_namespaced_config_map("default", cm("other", role="y"))
    core.patch_namespaced_config_map("sel", "default", {"metadata": {"labels": {"role": "z"}}})
    core.patch_namespaced_config_map("other", "default", {"metadata": {"labels": {"role": "x"}}})
    seen = events(core, resource_version=rv, label_selector="role=x", timeout_seconds=1)
    assert [(t, n) for t, n, _ in seen] == [("ADDED", "sel"), ("DELETED", "sel"), ("ADDED", "other")]


def test_namespaced_watch_sees_only_its_namespace(core: client.CoreV1Api) -> None:
    core.create_namespace({"metadata": {"name": "team-a"}})
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("team-a", cm("elsewhere"))
    core.create_namespaced_config_map("default", cm("here"))
    assert [n for _, n, _ in events(core, resource_version=rv, timeout_seconds=1)] == ["here"]


def test_bookmarks_on_request(core: client.CoreV1Api) -> None:
    started = time.monotonic()
    stream = watch.Watch().stream(
        core.list_namespaced_config_map,
        "default",
        allow_watch_bookmarks=True,
        timeout_seconds=4,
        resource_version=core.list_namespaced_config_map("default").metadata.resource_version,
    )
    kinds = [e["type"] for e in stream]
    assert "BOOKMARK" in kinds
    assert 3.5 < time.monotonic() - started < 8  # timeoutSeconds ends the stream


def test_dropped_watches_end_the_stream(core: client.CoreV1Api, local_cluster: LocalCluster) -> None:
    response = core.list_namespaced_secret("default", watch=True, timeout_seconds=60, _preload_content=False)
    started = time.monotonic()
    local_cluster.faults.drop_watches()  # from this (non-loop) thread
    assert response.read() == b""  # the server ended the response
    assert time.monotonic() - started < 10


def test_injected_429_then_recovery(core: client.CoreV1Api, local_cluster: LocalCluster) -> None:
    local_cluster.faults.add(verb="create", resource="configmaps", status=429, count=2)
    for _ in range(2):
        with pytest.raises(ApiException) as error:
            core.create_namespaced_config_map("default", cm("limited"))
        assert error.value.status == 429
    assert core.create_namespaced_config_map("default", cm("limited")).metadata.name == "limited"


def test_injected_500_hits_only_the_chosen_verb_and_resource(
    core: client.CoreV1Api, local_cluster: LocalCluster
) -> None:
    local_cluster.faults.add(verb="list", resource="pods", status=500, count=None)
    core.list_namespaced_config_map("default")  # other resources are fine
    with pytest.raises(ApiException) as error:
        core.list_namespaced_pod("default")
    assert error.value.status == 500 and "injected fault" in error.value.body
    local_cluster.faults.clear()
    assert core.list_namespaced_pod("default").items == []


def test_injected_delay_slows_the_request(core: client.CoreV1Api, local_cluster: LocalCluster) -> None:
    local_cluster.faults.add(verb="get", resource="namespaces", status=None, delay=0.5)
    started = time.monotonic()
    core.read_namespace("default")
    assert time.monotonic() - started >= 0.5
