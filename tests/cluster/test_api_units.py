"""Pure parts of the API server, no cluster: selectors, patches, printers, durations, JSONPath, store."""

import pytest

from k8s_tasks.testing.errors import BadRequest, Conflict, Gone, Invalid
from k8s_tasks.testing.patching import json_patch, merge_patch, strategic_merge
from k8s_tasks.testing.selectors import Selector, parse_label_selector
from k8s_tasks.testing.server.humanize import human_duration
from k8s_tasks.testing.server.jsonpath import evaluate
from k8s_tasks.testing.server.tables import printer
from k8s_tasks.testing.store import Store
from k8s_tasks.testing.validation import definition_name, definitions


def labelled(**labels: str) -> dict:
    return {"metadata": {"name": "x", "labels": labels}}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("a=1", {"a": "1"}, True),
        ("a==1", {"a": "2"}, False),
        ("a!=1", {}, True),
        ("a in (1, 2)", {"a": "2"}, True),
        ("a notin (1,2),b", {"a": "3", "b": ""}, True),
        ("!a", {"a": "1"}, False),
        ("a,b=2", {"a": "x", "b": "2"}, True),
    ],
)
def test_label_selector(selector: str, labels: dict, expected: bool) -> None:
    assert Selector.parse(selector, None)(labelled(**labels)) is expected


def test_malformed_label_selector_names_the_term() -> None:
    with pytest.raises(BadRequest, match="'a in b'"):
        parse_label_selector("x=1,a in b")


def test_field_selector_on_nested_fields() -> None:
    event = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Job", "name": "j"}}
    assert Selector.parse(None, "involvedObject.kind=Job,involvedObject.name=j")(event)
    assert not Selector.parse(None, "involvedObject.name!=j")(event)


def test_merge_and_json_patch() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}) == {"a": {"c": 2, "d": 3}}
    doc = {"m": {"f": ["x"]}}
    out = json_patch(
        doc, [{"op": "add", "path": "/m/f/-", "value": "y"}, {"op": "test", "path": "/m/f/0", "value": "x"}]
    )
    assert out == {"m": {"f": ["x", "y"]}} and doc == {"m": {"f": ["x"]}}
    with pytest.raises(Invalid, match="test failed"):
        json_patch(doc, [{"op": "test", "path": "/m/f/0", "value": "z"}])


def test_strategic_merge_by_key_and_delete_directive() -> None:
    defs = definitions()["$defs"]
    pod = {
        "spec": {
            "containers": [
                {"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}]},
                {"name": "b", "image": "2"},
            ]
        }
    }
    patch = {
        "spec": {
            "containers": [
                {"name": "a", "env": [{"name": "Y", "value": "2"}]},
                {"name": "b", "$patch": "delete"},
            ]
        }
    }
    out = strategic_merge(pod, patch, defs["io.k8s.api.core.v1.Pod"], defs)
    assert out["spec"]["containers"] == [
        {"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}
    ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "5s"),
        (119, "119s"),
        (125, "2m5s"),
        (600, "10m"),
        (3 * 3600 + 60, "3h1m"),
        (30 * 3600, "30h"),
        (3 * 86400 + 3600, "3d1h"),
        (20 * 86400, "20d"),
    ],
)
def test_human_duration_matches_kubectl(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_jsonpath_subset() -> None:
    obj = {"status": {"conditions": [{"type": "A", "status": "False"}, {"type": "Ready", "status": "True"}]}}
    assert evaluate(obj, '.status.conditions[?(@.type=="Ready")].status') == "True"
    assert evaluate(obj, ".status.conditions[0].type") == "A"
    assert evaluate(obj, ".spec.missing") is None


def test_job_table_row_shows_status_completions_duration() -> None:
    store = Store()
    columns, row = printer(store.resource_type("batch/v1", "Job"))
    job = {
        "metadata": {"name": "j", "creationTimestamp": "2020-01-01T00:00:00Z"},
        "spec": {"completions": 1},
        "status": {
            "succeeded": 1,
            "startTime": "2020-01-01T00:00:00Z",
            "completionTime": "2020-01-01T00:00:07Z",
            "conditions": [{"type": "Complete", "status": "True"}],
        },
    }
    assert [c[0] for c in columns if c[2] == 0] == ["Name", "Status", "Completions", "Duration", "Age"]
    assert row(job)[:4] == ["j", "Complete", "1/1", "7s"]


def test_every_builtin_kind_has_a_schema() -> None:
    store = Store()
    missing = [rt.kind for rt in store.resource_types() if not rt.is_custom and definition_name(rt) is None]
    assert missing == []


def test_store_rules_without_http() -> None:
    store = Store()
    cms = store.resource_type("v1", "ConfigMap")
    made = store.create(cms, {"metadata": {"name": "c"}})
    store.mutate(cms, "default", "c", lambda o: o.setdefault("data", {}).update(k="v"))
    with pytest.raises(Conflict):
        store.replace(cms, made)  # made carries the old resourceVersion
    watch = store.watch(cms, "default", resource_version=made["metadata"]["resourceVersion"])
    assert watch.pending() == 1  # the MODIFIED event, replayed from history
    store.compact()
    with pytest.raises(Gone):
        store.watch(cms, "default", resource_version=made["metadata"]["resourceVersion"])
    with pytest.raises(Invalid, match=r"metadata\.name"):
        store.create(cms, {"metadata": {"name": "Not_Valid"}})
