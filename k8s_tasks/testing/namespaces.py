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
