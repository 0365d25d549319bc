"""The RuntimeClass admission plugin (plugin/pkg/admission/runtimeclass): a pod's runtimeClassName must
name an existing RuntimeClass (else ``pod rejected: RuntimeClass "X" not found``); its overhead becomes the
pod's, and its scheduling nodeSelector and tolerations are merged in (a conflicting nodeSelector is
refused)."""

from typing import Any

from .common import Attributes, forbidden


def admit(a: Attributes, pod: dict[str, Any]) -> None:
    spec = pod["spec"]
    name = spec.get("runtimeClassName")
    if not name:
        return
    rt = a.store.resource_type("node.k8s.io/v1", "RuntimeClass")
    runtime_class = a.store.stored_or_none(rt, None, str(name))
    if runtime_class is None:
        raise forbidden(a, f'pod rejected: RuntimeClass "{name}" not found')
    overhead = (runtime_class.get("overhead") or {}).get("podFixed")
    if overhead:
        if spec.get("overhead") not in (None, overhead):
            raise forbidden(a, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead")
        spec["overhead"] = dict(overhead)
    scheduling = runtime_class.get("scheduling") or {}
    selector = dict(spec.get("nodeSelector") or {})
    for key, value in (scheduling.get("nodeSelector") or {}).items():
        if key in selector and selector[key] != value:
            raise forbidden(
                a,
                "pod rejected: conflict: runtimeClass.scheduling.nodeSelector["
                f"{key}] = {value}; pod.spec.nodeSelector[{key}] = {selector[key]}",
            )
        selector[key] = value
    if selector:
        spec["nodeSelector"] = selector
    extra = [t for t in scheduling.get("tolerations") or [] if t not in (spec.get("tolerations") or [])]
    if extra:
        spec["tolerations"] = [*(spec.get("tolerations") or []), *extra]
