"""Admission plugins: what kube-apiserver does to a new object after decoding and defaulting and before
validation and storage, in upstream's order (pkg/kubeapiserver/options/plugins.go): every mutating plugin
(LimitRanger, ServiceAccount, Priority, DefaultTolerationSeconds, RuntimeClass), then every validating one
(LimitRanger's min and max, PodSecurity, then ResourceQuota last). They run on every create through the
store, so the pods the Job, ReplicaSet and other controllers create are admitted as on a real cluster, and
a refusal is the 403 a controller records as FailedCreate."""

from typing import TYPE_CHECKING, Any

from ..defaults import qos_class
from ..resources import ResourceType
from . import limitranger, podsecurity, priority, resourcequota, runtimeclass, serviceaccount, tolerations
from .common import Attributes

if TYPE_CHECKING:
    from ..store import Store

PODS = ("", "pods")


def mutate(store: "Store", rt: ResourceType, obj: dict[str, Any], requested_name: str) -> None:
    """The mutating phase. ``requested_name`` is the name or generateName the client sent: upstream names
    an object after this phase, so its refusals name the prefix (``pods "job-" is forbidden: ...``)."""
    if rt.key != PODS or not isinstance(obj.get("spec"), dict):
        return
    a = Attributes(store, rt, obj["metadata"].get("namespace") or "", requested_name)
    limitranger.admit(a, obj)
    serviceaccount.admit(a, obj)
    priority.admit(a, obj)
    tolerations.admit(obj)
    runtimeclass.admit(a, obj)
    obj.setdefault("status", {})["qosClass"] = qos_class(obj["spec"])


def validate(store: "Store", rt: ResourceType, obj: dict[str, Any]) -> None:
    """The validating phase, on the object as it will be stored (its final name)."""
    namespace = obj["metadata"].get("namespace") or ""
    if not rt.namespaced or not namespace:
        return
    a = Attributes(store, rt, namespace, obj["metadata"]["name"])
    if rt.key == PODS and isinstance(obj.get("spec"), dict):
        limitranger.validate(a, obj)
    if isinstance(obj.get("spec"), dict) or rt.key == ("", "podtemplates"):
        podsecurity.validate(a, obj)
    resourcequota.validate(a, obj)
