"""Checks of a profile's ``podTemplate`` (the escape hatch), so that a typo surfaces as a Valid=False
condition naming the field, instead of every Job of the queue being refused by the API server later."""

import difflib
from collections.abc import Iterator
from typing import Any

from . import labels
from .errors import FieldProblem

# Field names of core/v1 PodSpec and Container in Kubernetes 1.37.
POD_SPEC_FIELDS = frozenset(
    [
        "activeDeadlineSeconds",
        "affinity",
        "automountServiceAccountToken",
        "containers",
        "dnsConfig",
        "dnsPolicy",
        "enableServiceLinks",
        "ephemeralContainers",
        "evictionResponders",
        "hostAliases",
        "hostIPC",
        "hostNetwork",
        "hostPID",
        "hostUsers",
        "hostname",
        "hostnameOverride",
        "imagePullSecrets",
        "initContainers",
        "nodeName",
        "nodeSelector",
        "os",
        "overhead",
        "preemptionPolicy",
        "priority",
        "priorityClassName",
        "readinessGates",
        "resourceClaims",
        "resources",
        "restartPolicy",
        "runtimeClassName",
        "schedulerName",
        "schedulingGates",
        "schedulingGroup",
        "securityContext",
        "serviceAccount",
        "serviceAccountName",
        "setHostnameAsFQDN",
        "shareProcessNamespace",
        "subdomain",
        "terminationGracePeriodSeconds",
        "tolerations",
        "topologySpreadConstraints",
        "volumes",
    ]
)
CONTAINER_FIELDS = frozenset(
    [
        "args",
        "command",
        "env",
        "envFrom",
        "image",
        "imagePullPolicy",
        "lifecycle",
        "livenessProbe",
        "name",
        "ports",
        "readinessProbe",
        "resizePolicy",
        "resources",
        "restartPolicy",
        "restartPolicyRules",
        "securityContext",
        "startupProbe",
        "stdin",
        "stdinOnce",
        "terminationMessagePath",
        "terminationMessagePolicy",
        "tty",
        "volumeDevices",
        "volumeMounts",
        "workingDir",
    ]
)
_LISTS = (
    "containers",
    "initContainers",
    "volumes",
    "tolerations",
    "imagePullSecrets",
    "topologySpreadConstraints",
)


def _unknown(path: str, key: str, known: frozenset[str]) -> FieldProblem:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "see kubectl explain pod.spec"
    return FieldProblem(f"{path}.{key}", None, "unknown field", hint, show_value=False)


def reserved_keys(path: str, mapping: dict[str, Any], what: str) -> Iterator[FieldProblem]:
    for key in mapping:
        if key.startswith(labels.PREFIX) or key == labels.MANAGED_BY:
            yield FieldProblem(
                f"{path}[{key!r}]",
                mapping[key],
                f"is a {what} k8s-tasks sets itself",
                "use a key of your own",
            )


def check_metadata(meta: dict[str, Any]) -> Iterator[FieldProblem]:
    for key in meta:
        if key not in ("labels", "annotations"):
            yield FieldProblem(
                f"spec.podTemplate.metadata.{key}",
                meta[key],
                "cannot be set on a task pod",
                "only labels and annotations",
            )
    for key in ("labels", "annotations"):
        value = meta.get(key)
        if key in meta and value is None:
            yield FieldProblem(
                f"spec.podTemplate.metadata.{key}",
                None,
                f"is null: the task pod's {key} cannot be removed (k8s-tasks' own tie it to its task)",
                f"remove the key, or list the {key} to add",
                show_value=False,
            )
        elif value is not None and not isinstance(value, dict):
            yield FieldProblem(
                f"spec.podTemplate.metadata.{key}", value, "is not a mapping", "key: value pairs"
            )
        elif value:
            yield from reserved_keys(f"spec.podTemplate.metadata.{key}", value, key[:-1])


def _check_containers(path: str, containers: list[Any]) -> Iterator[FieldProblem]:
    for i, container in enumerate(containers):
        where = f"{path}[{i}]"
        if not isinstance(container, dict) or not container.get("name"):
            yield FieldProblem(
                where,
                container,
                "needs a name",
                "name: task changes the task container; any other name adds a container",
            )
            continue
        for key in container:
            if key not in CONTAINER_FIELDS:
                yield _unknown(where, key, CONTAINER_FIELDS)


def check_pod_spec(pod: dict[str, Any]) -> Iterator[FieldProblem]:
    path = "spec.podTemplate.spec"
    for key in pod:
        if key not in POD_SPEC_FIELDS:
            yield _unknown(path, key, POD_SPEC_FIELDS)
    if pod.get("restartPolicy", "Never") != "Never":
        yield FieldProblem(
            f"{path}.restartPolicy",
            pod["restartPolicy"],
            "must be Never",
            "k8s-tasks runs one Job per attempt and retries itself (see spec.retries)",
        )
    for key in _LISTS:
        if key in pod and not isinstance(pod[key], list):
            yield FieldProblem(f"{path}.{key}", pod[key], "is not a list", "a YAML list")
    for key in ("containers", "initContainers"):
        if isinstance(pod.get(key), list):
            yield from _check_containers(f"{path}.{key}", pod[key])


def check_pod_template(template: dict[str, Any] | None) -> Iterator[FieldProblem]:
    template = template or {}
    yield from check_metadata(template.get("metadata") or {})
    yield from check_pod_spec(template.get("spec") or {})
