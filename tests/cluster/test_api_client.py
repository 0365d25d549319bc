"""The kubernetes Python client against the local cluster: CRUD, generateName, selectors, PUT conflict,
deletecollection, status subresource, validation errors."""

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from .conftest import PY, job_manifest


def body(error: pytest.ExceptionInfo[ApiException]) -> dict:
    return json.loads(error.value.body)


def cm(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}


def test_configmap_crud_round_trip(core: client.CoreV1Api) -> None:
    created = core.create_namespaced_config_map("default", cm("one", app="a"))
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert int(created.metadata.resource_version) > 0
    got = core.read_namespaced_config_map("one", "default")
    assert got.data == {"k": "v"} and got.metadata.uid == created.metadata.uid
    patched = core.patch_namespaced_config_map("one", "default", {"data": {"k2": "v2"}})
    assert patched.data == {"k": "v", "k2": "v2"}
    assert int(patched.metadata.resource_version) > int(created.metadata.resource_version)
    core.delete_namespaced_config_map("one", "default")
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("one", "default")
    assert missing.value.status == 404 and body(missing)["message"] == 'configmaps "one" not found'


def test_create_twice_is_409_already_exists(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", cm("dup"))
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map("default", cm("dup"))
    assert error.value.status == 409 and body(error)["reason"] == "AlreadyExists"


def test_generate_name_gives_distinct_names(core: client.CoreV1Api) -> None:
    names = {
        core.create_namespaced_config_map("default", {"metadata": {"generateName": "gen-"}}).metadata.name
        for _ in range(5)
    }
    assert len(names) == 5 and all(n.startswith("gen-") and len(n) == 9 for n in names)


def test_missing_namespace_is_404(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map("nowhere", cm("x"))
    assert error.value.status == 404 and body(error)["message"] == 'namespaces "nowhere" not found'


def test_label_selectors_equality_and_set_based(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", cm("a", tier="web", env="prod"))
    core.create_namespaced_config_map("default", cm("b", tier="db", env="prod"))
    core.create_namespaced_config_map("default", cm("c", tier="web"))

    def names(selector: str) -> list[str]:
        items = core.list_namespaced_config_map("default", label_selector=selector).items
        return sorted(i.metadata.name for i in items)

    assert names("tier=web") == ["a", "c"]
    assert names("tier!=web") == ["b", "kube-root-ca.crt"]  # the root CA publisher's, as on a real cluster
    assert names("tier in (web,db),env") == ["a", "b"]
    assert names("env notin (prod)") == ["c", "kube-root-ca.crt"]
    assert names("!env") == ["c", "kube-root-ca.crt"]
    assert names("tier=web,env=prod") == ["a"]


def test_field_selector_on_name_and_phase(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", cm("f1"))
    core.create_namespaced_config_map("default", cm("f2"))
    items = core.list_namespaced_config_map("default", field_selector="metadata.name=f2").items
    assert [i.metadata.name for i in items] == ["f2"]
    items = core.list_namespaced_config_map("default", field_selector="metadata.name!=f2").items
    assert "f2" not in [i.metadata.name for i in items] and "f1" in [i.metadata.name for i in items]


def test_bad_label_selector_is_400_naming_it(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as error:
        core.list_namespaced_config_map("default", label_selector="a in b")
    assert error.value.status == 400 and "a in b" in error.value.body


def test_put_with_stale_resource_version_is_409_conflict(core: client.CoreV1Api) -> None:
    first = core.create_namespaced_config_map("default", cm("put"))
    first.data = {"k": "new"}
    updated = core.replace_namespaced_config_map("put", "default", first)
    assert updated.data == {"k": "new"}
    first.data = {"k": "stale"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as error:
        core.replace_namespaced_config_map("put", "default", first)
    assert error.value.status == 409
    assert body(error)["reason"] == "Conflict" and "the object has been modified" in body(error)["message"]
    assert core.read_namespaced_config_map("put", "default").data == {"k": "new"}


def test_noop_patch_keeps_the_resource_version(core: client.CoreV1Api) -> None:
    created = core.create_namespaced_config_map("default", cm("same"))
    again = core.patch_namespaced_config_map("same", "default", {"data": {"k": "v"}})
    assert again.metadata.resource_version == created.metadata.resource_version


def test_delete_collection_by_label(core: client.CoreV1Api) -> None:
    for name, group in (("d1", "x"), ("d2", "x"), ("d3", "y")):
        core.create_namespaced_config_map("default", cm(name, group=group))
    core.delete_collection_namespaced_config_map("default", label_selector="group=x")
    left = [i.metadata.name for i in core.list_namespaced_config_map("default").items]
    assert "d3" in left and "d1" not in left and "d2" not in left


def test_job_defaults_selector_and_template_labels(batch: client.BatchV1Api) -> None:
    job = batch.create_namespaced_job("default", job_manifest("defaults", [PY, "-c", "pass"]))
    uid = job.metadata.uid
    assert job.spec.selector.match_labels == {"batch.kubernetes.io/controller-uid": uid}
    labels = job.spec.template.metadata.labels
    assert labels["batch.kubernetes.io/job-name"] == "defaults" and labels["controller-uid"] == uid
    assert job.spec.completions == 1 and job.spec.parallelism == 1
    assert job.spec.template.spec.termination_grace_period_seconds == 30


def test_wrong_json_type_is_400_worded_as_go_decoding(api: client.ApiClient) -> None:
    manifest = job_manifest("bad", [PY])
    manifest["spec"]["backoffLimit"] = "six"
    raw = client.CustomObjectsApi(api)  # sends the dict as is (BatchV1Api would refuse it client-side)
    with pytest.raises(ApiException) as error:
        raw.create_namespaced_custom_object("batch", "v1", "default", "jobs", manifest)
    assert error.value.status == 400
    assert body(error)["message"] == (
        'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct field '
        "JobSpec.spec.backoffLimit of type int32"
    )


def test_status_is_kept_apart_from_spec(batch: client.BatchV1Api) -> None:
    manifest = job_manifest("st", [PY], suspend=True)
    batch.create_namespaced_job("default", manifest)
    batch.patch_namespaced_job("st", "default", {"status": {"active": 7}, "metadata": {"labels": {"x": "y"}}})
    job = batch.read_namespaced_job("st", "default")
    assert job.status.active is None and job.metadata.labels["x"] == "y"
    status = batch.patch_namespaced_job_status(
        "st", "default", {"status": {"active": 7}, "spec": {"parallelism": 5}}
    )
    assert status.status.active == 7 and status.spec.parallelism == 1
    assert status.metadata.generation == 1


def test_spec_change_bumps_generation(batch: client.BatchV1Api) -> None:
    batch.create_namespaced_job("default", job_manifest("gen", [PY], suspend=True))
    job = batch.patch_namespaced_job("gen", "default", {"spec": {"suspend": False}})
    assert job.metadata.generation == 2


def test_json_patch_and_strategic_merge_of_keyed_lists(core: client.CoreV1Api, api: client.ApiClient) -> None:
    pod = {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]},
    }
    core.create_namespaced_pod("default", pod)
    patched = core.patch_namespaced_pod(
        "p", "default", {"spec": {"containers": [{"name": "b", "image": "y:2"}]}}
    )
    images = {c.name: c.image for c in patched.spec.containers}
    assert images == {"a": "x:1", "b": "y:2"}  # strategic merge: keyed by name, "a" kept
    ops = [{"op": "add", "path": "/metadata/labels", "value": {"l": "1"}}]
    patched = core.patch_namespaced_pod("p", "default", ops)
    assert patched.metadata.labels == {"l": "1"}


def test_list_pages_with_limit_and_continue(core: client.CoreV1Api) -> None:
    for i in range(5):
        core.create_namespaced_config_map("default", cm(f"page-{i}", paged="yes"))
    names, token, pages = [], None, 0
    while True:
        result = core.list_namespaced_config_map(
            "default", label_selector="paged=yes", limit=2, _continue=token
        )
        names += [i.metadata.name for i in result.items]
        pages += 1
        token = result.metadata._continue
        if not token:
            break
        assert result.metadata.remaining_item_count == 5 - len(names)
    assert names == [f"page-{i}" for i in range(5)] and pages == 3


def test_job_template_is_immutable(batch: client.BatchV1Api) -> None:
    batch.create_namespaced_job("default", job_manifest("fixed", [PY, "-c", "pass"], suspend=True))
    with pytest.raises(ApiException) as error:
        batch.patch_namespaced_job(
            "fixed", "default", {"spec": {"template": {"spec": {"restartPolicy": "OnFailure"}}}}
        )
    assert error.value.status == 422
    assert body(error)["details"]["causes"][0]["field"] == "spec.template"
    assert "field is immutable" in body(error)["message"]
    assert batch.patch_namespaced_job("fixed", "default", {"spec": {"suspend": False}}).spec.suspend is False
