"""The field selectors each kind supports (the field label conversion functions kube-apiserver registers per
kind, e.g. pkg/apis/core/v1/conversion.go), and the 400 for any other field, worded as upstream."""

from .errors import BadRequest
from .resources import ResourceType
from .selectors import parse_field_selector

_META = ("metadata.name", "metadata.namespace")
# (group, kind) -> the fields it accepts; these kinds answer "field label not supported: X" to others.
SUPPORTED: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): (
        *_META,
        "spec.host",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    ),
    ("", "Node"): ("metadata.name", "spec.unschedulable"),
    ("", "ReplicationController"): (*_META, "status.replicas"),
    ("", "Event"): (
        *_META,
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    ("", "Namespace"): ("metadata.name", "status.phase"),
    ("", "Secret"): (*_META, "type"),
    ("", "Service"): (*_META, "spec.clusterIP", "spec.type"),
    ("apps", "ReplicaSet"): (*_META, "status.replicas"),
    ("batch", "Job"): (*_META, "status.successful"),
}
# Labels that name another field of the stored object.
ALIASES = {
    "spec.host": "spec.nodeName",
    "status.successful": "status.succeeded",
    "source": "source.component",
}


def check(rt: ResourceType, field_selector: str | None) -> str | None:
    """The selector with the kind's aliases resolved; 400 for a field the kind does not support."""
    if not field_selector:
        return field_selector
    supported = SUPPORTED.get((rt.group, rt.kind))
    terms = []
    for path, equal, value in parse_field_selector(field_selector):
        if supported is None and path not in _META:
            raise BadRequest(
                f'"{path}" is not a known field selector: only "metadata.name", "metadata.namespace"'
            )
        if supported is not None and path not in supported:
            raise BadRequest(f"field label not supported: {path}")
        terms.append(f"{ALIASES.get(path, path)}{'=' if equal else '!='}{value}")
    return ",".join(terms)
