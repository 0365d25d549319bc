"""Namespaces as on a real cluster: the four every cluster starts with, a default ServiceAccount in each,
and deletion that goes Terminating, empties the namespace (refusing new content) and then removes it."""

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.waiting import wait_until

pytestmark = pytest.mark.cluster(runtime="fake")


def test_initial_namespaces_and_default_service_accounts(core: client.CoreV1Api, kubectl) -> None:
    names = sorted(n.metadata.name for n in core.list_namespace().items)
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
    ns = core.read_namespace("kube-system")
    assert ns.metadata.labels == {"kubernetes.io/metadata.name": "kube-system"}
    assert (ns.spec.finalizers, ns.status.phase) == (["kubernetes"], "Active")

    def accounts() -> list[tuple[str, str]]:
        items = core.list_service_account_for_all_namespaces().items
        return sorted((a.metadata.namespace, a.metadata.name) for a in items)

    wait_until(lambda: len(accounts()) == 4, what="a default ServiceAccount in each namespace")
    kubectl("create", "namespace", "team")
    wait_until(lambda: ("team", "default") in accounts(), what="the new namespace's default ServiceAccount")
    core.delete_namespaced_service_account("default", "team")
    wait_until(lambda: ("team", "default") in accounts(), what="the default ServiceAccount re-created")


def test_deleting_a_namespace_empties_it_then_removes_it(core: client.CoreV1Api, kubectl) -> None:
    kubectl("create", "namespace", "doomed")
    kubectl("-n", "doomed", "create", "deployment", "web", "--image=web:1", "--replicas=2")
    kubectl("-n", "doomed", "create", "configmap", "settings", "--from-literal=a=b")
    wait_until(lambda: len(core.list_namespaced_pod("doomed").items) == 2, what="the pods")

    answer = json.loads(kubectl("get", "--raw", "/api/v1/namespaces/doomed").stdout)
    assert answer["status"] == {"phase": "Active"}
    deleted = core.delete_namespace("doomed")  # the namespace itself comes back, Terminating
    assert deleted["kind"] == "Namespace" and deleted["status"]["phase"] == "Terminating"
    assert deleted["metadata"]["deletionTimestamp"]
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_config_map("doomed", {"metadata": {"name": "late"}})
    status = json.loads(refused.value.body)
    assert (refused.value.status, status["reason"]) == (403, "Forbidden")
    assert status["message"] == (
        'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is '
        "being terminated"
    )
    assert status["details"]["causes"] == [
        {
            "reason": "NamespaceTerminating",
            "message": "namespace doomed is being terminated",
            "field": "metadata.namespace",
        }
    ]

    def gone() -> bool:
        try:
            core.read_namespace("doomed")
        except ApiException as error:
            return error.status == 404
        return False

    wait_until(gone, timeout=30, what="the namespace removed")
    assert core.list_namespaced_config_map("doomed").items == []
    assert core.list_namespaced_pod("doomed").items == []


def test_a_finalizer_holds_a_terminating_namespace_and_its_conditions_say_why(core: client.CoreV1Api) -> None:
    core.create_namespace({"metadata": {"name": "held"}})
    core.create_namespaced_config_map(
        "held", {"metadata": {"name": "keep", "finalizers": ["example.com/hold"]}}
    )
    core.delete_namespace("held")

    def conditions() -> dict[str, tuple[str, str, str]]:
        found = core.read_namespace("held").status.conditions or []
        return {c.type: (c.status, c.reason, c.message) for c in found}

    wait_until(lambda: "NamespaceContentRemaining" in conditions(), what="the deletion conditions")
    assert conditions() == {
        "NamespaceDeletionDiscoveryFailure": (
            "False",
            "ResourcesDiscovered",
            "All resources successfully discovered",
        ),
        "NamespaceDeletionGroupVersionParsingFailure": (
            "False",
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed",
        ),
        "NamespaceDeletionContentFailure": (
            "False",
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization",
        ),
        "NamespaceContentRemaining": (
            "True",
            "SomeResourcesRemain",
            "Some resources are remaining: configmaps. has 1 resource instances",
        ),
        "NamespaceFinalizersRemaining": (
            "True",
            "SomeFinalizersRemain",
            "Some content in the namespace has finalizers remaining: "
            "example.com/hold in 1 resource instances",
        ),
    }
    assert core.read_namespace("held").status.phase == "Terminating"
    core.patch_namespaced_config_map("keep", "held", {"metadata": {"finalizers": None}})

    def gone() -> bool:
        return "held" not in {n.metadata.name for n in core.list_namespace().items}

    wait_until(gone, what="the namespace removed once the finalizer is gone")
