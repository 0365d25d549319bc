"""Isolated queues get a NetworkPolicy: no ingress; egress only to DNS and the database."""

from __future__ import annotations

from typing import Any

from .helm import by_kind, one, render

DNS_RULE = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
}


def policies(values: dict[str, Any]) -> list[dict[str, Any]]:
    return by_kind(render(values), "NetworkPolicy")


def test_only_isolated_queues_get_a_policy() -> None:
    values = {"queues": {"default": {}, "sandbox": {"network": "isolated"}, "open": {"network": "default"}}}
    (policy,) = policies(values)
    assert policy["metadata"]["name"] == "rel-k8s-tasks-isolated-sandbox"
    assert policy["spec"]["podSelector"] == {
        "matchLabels": {"k8stasks.io/queue": "sandbox", "k8stasks.io/network": "isolated"}
    }
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"] == []


def test_egress_is_dns_and_the_database_cidr() -> None:
    values = {
        "database": {"egress": {"cidr": "10.20.0.7/32", "port": 6432}},
        "queues": {"sandbox": {"network": "isolated"}},
    }
    (policy,) = policies(values)
    assert policy["spec"]["egress"] == [
        DNS_RULE,
        {"to": [{"ipBlock": {"cidr": "10.20.0.7/32"}}], "ports": [{"protocol": "TCP", "port": 6432}]},
    ]


def test_egress_to_an_in_cluster_database_by_pod_and_namespace_selector() -> None:
    values = {
        "database": {
            "egress": {
                "podSelector": {"app": "pg"},
                "namespaceSelector": {"kubernetes.io/metadata.name": "db"},
            }
        },
        "queues": {"sandbox": {"network": "isolated"}},
    }
    (policy,) = policies(values)
    assert policy["spec"]["egress"][1] == {
        "to": [
            {
                "podSelector": {"matchLabels": {"app": "pg"}},
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "db"}},
            }
        ],
        "ports": [{"protocol": "TCP", "port": 5432}],
    }


def test_without_a_database_egress_only_dns_is_allowed() -> None:
    (policy,) = policies({"queues": {"sandbox": {"network": "isolated"}}})
    assert policy["spec"]["egress"] == [DNS_RULE]


def test_isolation_from_queue_defaults_and_explicit_queue_name() -> None:
    values = {
        "queueDefaults": {"network": "isolated"},
        "queues": {"default": None, "scan": {"queueName": "scan_uploads"}},
    }
    policy = one(render(values), "NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"]["k8stasks.io/queue"] == "scan_uploads"


def test_policies_can_be_disabled_and_extended() -> None:
    isolated = {"queues": {"sandbox": {"network": "isolated"}}}
    assert policies({**isolated, "networkPolicy": {"enabled": False}}) == []
    extra = {"to": [{"ipBlock": {"cidr": "192.0.2.10/32"}}], "ports": [{"protocol": "TCP", "port": 443}]}
    (policy,) = policies({**isolated, "networkPolicy": {"extraEgress": [extra]}})
    assert policy["spec"]["egress"][-1] == extra
