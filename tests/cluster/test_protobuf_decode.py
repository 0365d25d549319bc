"""Protobuf bodies decode to what Go's encoding/json writes for the same struct (no cluster needed)."""

import base64

import pytest

from k8s_tasks.testing import protobuf
from k8s_tasks.testing.protobuf.tables import Field, messages, parse

from .protobuf_encoder import double, entry, envelope, num, raw, text

# ObjectMeta as gogo-protobuf writes it: every non-pointer field, even the empty ones, and an empty Time.
META = raw(1, text(1, "web") + text(2, "") + text(3, "") + text(6, "") + num(7, 0) + raw(8, b""))


def decode(api_version: str, kind: str, body: bytes) -> dict:
    return protobuf.decode_body(envelope(api_version, kind, body))


def test_kubectls_own_namespace_body() -> None:
    """The exact bytes `kubectl create namespace foo -v=9` sent (kubectl 1.37)."""
    body = bytes.fromhex(
        "6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f"
        "12001a0022002a0032003800420012001a020a001a002200"
    )
    assert protobuf.decode_body(body) == {
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"name": "foo"},
        "spec": {},
        "status": {},
    }


def test_pointers_keep_zero_values_and_plain_fields_drop_them() -> None:
    rolling = raw(2, raw(1, num(1, 1) + text(3, "25%")) + raw(2, num(1, 0) + num(2, 1) + text(3, "")))
    spec = num(1, 0) + raw(4, text(1, "RollingUpdate") + rolling) + num(5, 0) + num(7, 0) + num(9, 600)
    got = decode("apps/v1", "Deployment", META + raw(2, spec) + raw(3, b""))
    assert got["spec"] == {
        "replicas": 0,  # *int32 set to 0: written
        "selector": None,  # *LabelSelector without omitempty, absent: null
        "template": {"metadata": {}, "spec": {"containers": None}},  # containers has no omitempty
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}},
        "progressDeadlineSeconds": 600,
    }
    assert got["metadata"] == {"name": "web"}  # zero creationTimestamp is omitzero
    assert got["status"] == {}


def test_container_quantities_security_context_and_negative_numbers() -> None:
    resources = raw(8, entry(1, "memory", raw(2, text(1, "64Mi"))) + entry(2, "cpu", raw(2, text(1, "100m"))))
    security = raw(15, num(4, 0) + num(7, 0) + raw(1, text(2, "ALL")))
    env = raw(7, text(1, "EMPTY") + text(2, ""))
    container = raw(2, text(1, "app") + text(2, "python") + env + resources + security)
    pod_spec = container + num(4, -1)
    pod_spec += raw(14, raw(4, bytes([1, 2, 3])) + num(4, 9))  # packed, then unpacked supplementalGroups
    got = decode("v1", "Pod", META + raw(2, pod_spec))
    spec = got["spec"]
    assert spec["containers"] == [
        {
            "name": "app",
            "image": "python",
            "env": [{"name": "EMPTY"}],
            "resources": {"limits": {"memory": "64Mi"}, "requests": {"cpu": "100m"}},
            "securityContext": {
                "capabilities": {"drop": ["ALL"]},
                "runAsUser": 0,
                "allowPrivilegeEscalation": False,
            },
        }
    ]
    assert spec["terminationGracePeriodSeconds"] == -1
    assert spec["securityContext"] == {"supplementalGroups": [1, 2, 3, 9]}


def test_times_bytes_and_inlined_messages() -> None:
    when = raw(6, num(1, 1_700_000_000) + num(2, 999))
    micro = raw(10, num(1, 1_700_000_000) + num(2, 123_456_789))
    event = META + raw(2, text(3, "pod-1")) + when + raw(7, b"") + micro
    got = decode("v1", "Event", event)
    assert got["firstTimestamp"] == "2023-11-14T22:13:20Z"  # whole seconds, as metav1.Time keeps them
    assert got["lastTimestamp"] is None  # a zero Time is written as null
    assert got["eventTime"] == "2023-11-14T22:13:20.123456Z"
    assert got["reportingComponent"] == "" and got["reportingInstance"] == ""  # no omitempty

    secret = decode("v1", "Secret", META + entry(2, "token", raw(2, b"\x00\xffhi")) + text(3, "Opaque"))
    assert secret["data"] == {"token": base64.b64encode(b"\x00\xffhi").decode()}
    assert secret["type"] == "Opaque"

    volume = raw(1, text(1, "cfg") + raw(2, raw(19, raw(1, text(1, "settings")) + num(3, 420))))
    pod = decode("v1", "Pod", META + raw(2, volume))
    assert pod["spec"]["volumes"] == [{"name": "cfg", "configMap": {"name": "settings", "defaultMode": 420}}]


def test_role_rules_and_delete_options() -> None:
    rule = raw(2, text(1, "get") + text(1, "list") + text(2, "") + text(3, "pods"))
    assert decode("rbac.authorization.k8s.io/v1", "Role", META + rule)["rules"] == [
        {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}
    ]
    assert decode("rbac.authorization.k8s.io/v1", "Role", META)["rules"] is None
    options = decode("v1", "DeleteOptions", num(1, 0) + text(4, "Foreground"))
    assert options == {
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "gracePeriodSeconds": 0,
        "propagationPolicy": "Foreground",
    }


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        (b'{"kind": "Pod"}', protobuf.DecodeError, "expected prefix [107 56 115 0]"),
        (envelope("v1", "Pod", META + num(99, 1)), protobuf.UnknownField, "field number 99 of core.Pod"),
        (envelope("v1", "Node", META), protobuf.UnsupportedKind, 'no protobuf table for kind "Node"'),
        (envelope("apps/v1beta1", "Deployment", META), protobuf.UnsupportedKind, "built-in v1 kinds only"),
        (envelope("v1", "Pod", raw(1, b"\x0a\x05ab")), protobuf.DecodeError, "5 bytes announced"),
        (envelope("v1", "Pod", double(1, 1.5)), protobuf.DecodeError, "expected a length-delimited value"),
    ],
)
def test_refusals_say_why(body: bytes, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=None) as caught:
        protobuf.decode_body(body)
    assert words in str(caught.value)


def test_tables_resolve_and_follow_the_notation() -> None:
    kinds = {"core.Pod", "apps.Deployment", "batch.Job", "rbac.ClusterRoleBinding", "coordination.Lease"}
    assert kinds <= set(messages())
    line = "Sample a=1:s! b=2:*i c=3:[Other] d=4:{Quantity} ^e=5:Inner f=6:Time~"
    fields = parse("core", line)["core.Sample"]
    assert fields.fields == (
        Field("a", 1, "s", always=True),
        Field("b", 2, "i", pointer=True),
        Field("c", 3, "core.Other", repeated=True),
        Field("d", 4, "Quantity", map=True),
        Field("e", 5, "core.Inner", inline=True),
        Field("f", 6, "Time", omitzero=True),
    )
