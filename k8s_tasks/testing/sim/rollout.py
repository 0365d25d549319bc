"""A Deployment's rollout decisions as pure functions, after kube-controller-manager's deployment controller
(pkg/controller/deployment: rolling.go, sync.go, util/deployment_util.go): the pod-template-hash, the
surge/unavailable fenceposts, how far the new ReplicaSet may grow and the old ones shrink, and the status."""

import json
import math
from typing import Any

from ..objects import clone

REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
HASH_LABEL = "pod-template-hash"
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand SafeEncodeString
_NOT_COPIED = (REVISION, DESIRED, MAX_REPLICAS, "kubectl.kubernetes.io/last-applied-configuration")


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def template_hash(template: dict[str, Any], collision_count: int | None) -> str:
    """FNV-32a of the pod template (here its canonical JSON; upstream hashes a spew dump of the Go
    struct), then the collision count as eight bytes (PutUint32 into make([]byte, 8)), written with
    SafeEncodeString."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += int(collision_count).to_bytes(8, "little")
    return "".join(_ALPHANUMS[byte % len(_ALPHANUMS)] for byte in str(fnv32a(data)).encode())


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    labels = ((template.get("metadata") or {}).get("labels") or {}).copy()
    labels.pop(HASH_LABEL, None)
    result = {**template, "metadata": {**(template.get("metadata") or {})}}
    if labels:
        result["metadata"]["labels"] = labels
    else:
        result["metadata"].pop("labels", None)
    return result


def spec_replicas(obj: dict[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def _status(obj: dict[str, Any], field: str) -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def scaled(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%"):
        return int(text)
    fraction = int(text[:-1]) * total / 100
    return math.ceil(fraction) if round_up else math.floor(fraction)


def rolling_update(deployment: dict[str, Any]) -> bool:
    return ((deployment["spec"].get("strategy") or {}).get("type") or "RollingUpdate") == "RollingUpdate"


def fenceposts(deployment: dict[str, Any]) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as pods; both zero would stall, so unavailable becomes 1."""
    desired = spec_replicas(deployment)
    rolling = (deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    surge = scaled(rolling.get("maxSurge", "25%"), desired, True)
    unavailable = scaled(rolling.get("maxUnavailable", "25%"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(deployment: dict[str, Any]) -> int:
    desired = spec_replicas(deployment)
    if not rolling_update(deployment) or desired == 0:
        return 0
    return min(fenceposts(deployment)[1], desired)


def new_rs_replicas(
    deployment: dict[str, Any], all_rss: list[dict[str, Any]], new_rs: dict[str, Any] | None
) -> int:
    """NewRSNewReplicas: how many replicas the new ReplicaSet may have now."""
    desired = spec_replicas(deployment)
    if not rolling_update(deployment):
        return desired
    current = spec_replicas(new_rs) if new_rs is not None else 0
    surge, _ = fenceposts(deployment)
    pods = sum(spec_replicas(rs) for rs in all_rss)
    if pods >= desired + surge:
        return current
    return current + min(desired + surge - pods, max(desired - current, 0))


def old_scale_downs(
    deployment: dict[str, Any],
    all_rss: list[dict[str, Any]],
    old_rss: list[dict[str, Any]],
    new_rs: dict[str, Any],
) -> dict[str, int]:
    """reconcileOldReplicaSets: the new replica count of each old ReplicaSet to shrink (oldest first),
    unhealthy replicas first, never below maxUnavailable's availability floor."""
    if not any(spec_replicas(rs) for rs in old_rss):
        return {}
    desired = spec_replicas(deployment)
    min_available = desired - max_unavailable(deployment)
    new_unavailable = spec_replicas(new_rs) - _status(new_rs, "availableReplicas")
    budget = sum(spec_replicas(rs) for rs in all_rss) - min_available - new_unavailable
    if budget <= 0:
        return {}
    targets: dict[str, int] = {}
    oldest_first = sorted(old_rss, key=lambda rs: rs["metadata"].get("creationTimestamp") or "")
    for rs in oldest_first:  # cleanupUnhealthyReplicas
        unhealthy = spec_replicas(rs) - _status(rs, "availableReplicas")
        if budget <= 0 or unhealthy <= 0:
            continue
        cut = min(unhealthy, budget)
        targets[rs["metadata"]["name"]] = spec_replicas(rs) - cut
        budget -= cut
    available = sum(_status(rs, "availableReplicas") for rs in all_rss)
    room = available - min_available
    for rs in oldest_first:  # scaleDownOldReplicaSetsForRollingUpdate
        name = rs["metadata"]["name"]
        current = targets.get(name, spec_replicas(rs))
        if room <= 0 or current == 0:
            continue
        cut = min(current, room)
        targets[name] = current - cut
        room -= cut
    return targets


def new_replica_set(
    deployment: dict[str, Any], pod_hash: str, revision: int, replicas: int
) -> dict[str, Any]:
    """The ReplicaSet a Deployment creates for its current template."""
    meta, spec = deployment["metadata"], deployment["spec"]
    template = clone(spec["template"])
    labels = {**((template.get("metadata") or {}).get("labels") or {}), HASH_LABEL: pod_hash}
    template.setdefault("metadata", {})["labels"] = labels
    selector = clone(spec.get("selector") or {})
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in _NOT_COPIED}
    surge = fenceposts(deployment)[0] if rolling_update(deployment) else 0
    annotations.update(
        {
            DESIRED: str(spec_replicas(deployment)),
            MAX_REPLICAS: str(spec_replicas(deployment) + surge),
            REVISION: str(revision),
        }
    )
    rs_spec: dict[str, Any] = {"replicas": replicas, "selector": selector, "template": template}
    if spec.get("minReadySeconds"):
        rs_spec["minReadySeconds"] = spec["minReadySeconds"]
    owner = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{meta['name']}-{pod_hash}",
            "namespace": meta.get("namespace"),
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [owner],
        },
        "spec": rs_spec,
    }


def revision_of(obj: dict[str, Any]) -> int:
    try:
        return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def selector_string(selector: dict[str, Any] | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key."""
    if not selector:
        return ""
    parts: list[tuple[str, str]] = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], sorted(expr.get("values") or [])
        text = {
            "In": f"{key} in ({','.join(values)})",
            "NotIn": f"{key} notin ({','.join(values)})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }[op]
        parts.append((key, text))
    return ",".join(text for _, text in sorted(parts))
