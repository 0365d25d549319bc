"""Validation and its wording as kube-apiserver has them, case by case: the status code and the exact
message of a request the local cluster refuses (each message written from the upstream code that makes
it: pkg/apis/core/validation, pkg/apis/batch/validation, apimachinery's quantity parser, field errors and
their aggregate, the decoder's errors), and what the default field validation warns about."""

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from k8s_tasks.testing.cluster import LocalCluster, run_in_thread
from tests.cluster.validation_cases import CASES, c0, job

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with run_in_thread(workdir=Path(tmp_path_factory.mktemp("cluster"))) as c:
        yield c


@pytest.fixture(scope="module")
def api(cluster: LocalCluster) -> Iterator[client.ApiClient]:
    api_client = config.new_client_from_config(config_file=str(cluster.kubeconfig_path))
    yield api_client
    api_client.close()


def send(api: client.ApiClient, path: str, body: Any, query: list[tuple[str, str]] | None = None):
    """POST ``body`` as JSON; (status, the answer's JSON, its Warning headers)."""
    request = api.param_serialize(
        method="POST",
        resource_path=path,
        query_params=query or [],
        header_params={"Content-Type": "application/json", "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(*request)
    data = response.read()
    return response.status, json.loads(data), response.response.headers.getlist("Warning")


@pytest.mark.parametrize(("manifest", "code", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_as_kube_apiserver_refuses(api: client.ApiClient, manifest, code: int, message: str) -> None:
    status, answer, _ = send(api, "/apis/batch/v1/namespaces/default/jobs", copy.deepcopy(manifest))
    assert (status, UUID.sub("<uid>", answer["message"])) == (code, message)
    assert answer["reason"] == ("BadRequest" if code == 400 else "Invalid")
    if code == 422:  # one cause per error, each with its field and body; the message is their aggregate
        rendered = list(dict.fromkeys(f"{c['field']}: {c['message']}" for c in answer["details"]["causes"]))
        joined = rendered[0] if len(rendered) == 1 else "[" + ", ".join(rendered) + "]"
        assert UUID.sub("<uid>", joined) == message.split(" is invalid: ", 1)[1]


def test_configmap_key_is_a_config_key(api: client.ApiClient) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"bad key": "x"}}
    status, answer, _ = send(api, "/api/v1/namespaces/default/configmaps", cm)
    assert status == 422
    assert answer["message"] == (
        'ConfigMap "c" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist '
        "of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex "
        "used for validation is '[-._a-zA-Z0-9]+')"
    )
    assert answer["details"] == {
        "name": "c",
        "kind": "ConfigMap",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": answer["message"].split("data[bad key]: ", 1)[1],
                "field": "data[bad key]",
            }
        ],
    }


def test_unknown_fields_under_strict_field_validation_are_400(api: client.ApiClient) -> None:
    manifest = job("strict")
    manifest["spec"]["foo"] = 1
    c0(manifest)["comand"] = ["x"]
    status, answer, _ = send(
        api, "/apis/batch/v1/namespaces/default/jobs", manifest, [("fieldValidation", "Strict")]
    )
    assert (status, answer["message"]) == (
        400,
        'Job in version "v1" cannot be handled as a Job: strict decoding error: '  # in the body's order
        'unknown field "spec.template.spec.containers[0].comand", unknown field "spec.foo"',
    )


def test_unknown_fields_under_the_default_field_validation_warn_and_are_dropped(
    api: client.ApiClient,
) -> None:
    manifest = job("warned")
    manifest["spec"]["foo"] = 1
    status, answer, warnings = send(api, "/apis/batch/v1/namespaces/default/jobs", manifest)
    assert status == 201 and "foo" not in answer["spec"]
    assert warnings == ['299 - "unknown field \\"spec.foo\\""']
    manifest = job("ignored")
    manifest["spec"]["foo"] = 1
    status, answer, warnings = send(
        api, "/apis/batch/v1/namespaces/default/jobs", manifest, [("fieldValidation", "Ignore")]
    )
    assert (status, warnings, "foo" in answer["spec"]) == (201, [], False)


def test_a_job_name_that_is_no_dns_label_is_warned_about(api: client.ApiClient) -> None:
    status, _, warnings = send(api, "/apis/batch/v1/namespaces/default/jobs", job("with.dots"))
    assert status == 201
    assert warnings == [
        '299 - "metadata.name: this is used in Pod names and hostnames, which can result in surprising '
        'behavior; a DNS label is recommended: [must not contain dots]"'
    ]
