"""Namespaces as kube-apiserver keeps them: the ones every cluster starts with, their create-time defaults,
deletion that only marks them Terminating (the namespace controller empties and then removes them), and the
NamespaceLifecycle admission that refuses new content in a terminating namespace."""

from typing import Any

from .errors import ApiError
from .objects import now_iso
from .resources import ResourceType

INITIAL = ("default", "kube-node-lease", "kube-public", "kube-system")
NAME_LABEL = "kubernetes.io/metadata.name"
FINALIZER = "kubernetes"


class NamespaceTerminating(ApiError):
    status, reason = 403, "Forbidden"


def is_namespace(rt: ResourceType) -> bool:
    return rt.key == ("", "namespaces")


def defaults(obj: dict[str, Any]) -> None:
    """PrepareForCreate and the namespace label admission: the name label, the finalizer, Active."""
    meta = obj["metadata"]
    meta["labels"] = {**(meta.get("labels") or {}), NAME_LABEL: meta["name"]}
    obj["spec"] = {"finalizers": [FINALIZER]}
    obj["status"] = {"phase": "Active"}


def refuse_in_terminating(rt: ResourceType, name: str, namespace: str) -> NamespaceTerminating:
    """403 from NamespaceLifecycle admission, worded as upstream (errors.NewForbidden plus a cause)."""
    resource = f"{rt.plural}.{rt.group}" if rt.group else rt.plural
    return NamespaceTerminating(
        f'{resource} "{name}" is forbidden: unable to create new content in namespace {namespace} because it '
        "is being terminated",
        details={
            "name": name,
            "group": rt.group,
            "kind": rt.plural,
            "causes": [
                {
                    "reason": "NamespaceTerminating",
                    "message": f"namespace {namespace} is being terminated",
                    "field": "metadata.namespace",
                }
            ],
        },
    )


def waits_for_finalizer(obj: dict[str, Any]) -> bool:
    return FINALIZER in ((obj.get("spec") or {}).get("finalizers") or [])


def mark_terminating(obj: dict[str, Any]) -> dict[str, Any]:
    """What DELETE does to a namespace that still has its finalizer: deletionTimestamp and Terminating."""
    meta = {**obj["metadata"], "deletionTimestamp": obj["metadata"].get("deletionTimestamp") or now_iso()}
    meta["deletionGracePeriodSeconds"] = 0
    return {**obj, "metadata": meta, "status": {**(obj.get("status") or {}), "phase": "Terminating"}}


def finalized(obj: dict[str, Any]) -> dict[str, Any]:
    """The namespace with the kubernetes finalizer removed (what PUT namespaces/NAME/finalize does)."""
    finalizers = [f for f in (obj.get("spec") or {}).get("finalizers") or [] if f != FINALIZER]
    return {**obj, "spec": {**(obj.get("spec") or {}), "finalizers": finalizers}}


_OK = (
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    (
        "NamespaceDeletionGroupVersionParsingFailure",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
)


def deletion_conditions(
    remaining: list[tuple[ResourceType, dict[str, Any]]], previous: list[dict[str, Any]], now: str
) -> list[dict[str, Any]]:
    """The conditions the namespace deleter reports while it empties a namespace (its okMessages, and
    "Some resources are remaining: pods. has 2 resource instances", resource.group as upstream prints it)."""
    counts: dict[str, int] = {}
    finalizers: dict[str, int] = {}
    for rt, obj in remaining:
        key = f"{rt.plural}.{rt.group}"
        counts[key] = counts.get(key, 0) + 1
        for finalizer in obj["metadata"].get("finalizers") or []:
            finalizers[finalizer] = finalizers.get(finalizer, 0) + 1
    wanted = [(kind, "False", reason, message) for kind, reason, message in _OK]
    if counts:
        listed = ", ".join(sorted(f"{k} has {n} resource instances" for k, n in counts.items()))
        wanted.append(
            (
                "NamespaceContentRemaining",
                "True",
                "SomeResourcesRemain",
                f"Some resources are remaining: {listed}",
            )
        )
    else:
        wanted.append(
            ("NamespaceContentRemaining", "False", "ContentRemoved", "All content successfully removed")
        )
    if finalizers:
        listed = ", ".join(sorted(f"{f} in {n} resource instances" for f, n in finalizers.items()))
        message = f"Some content in the namespace has finalizers remaining: {listed}"
        wanted.append(("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain", message))
    else:
        message = "All content-preserving finalizers finished"
        wanted.append(("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", message))
    before = {c.get("type"): c for c in previous}
    conditions = []
    for kind, status, reason, message in wanted:
        old = before.get(kind)
        since = old["lastTransitionTime"] if old and old.get("status") == status else now
        conditions.append(
            {
                "type": kind,
                "status": status,
                "lastTransitionTime": since,
                "reason": reason,
                "message": message,
            }
        )
    return conditions
