"""The scheduler's decisions as pure functions: requests, filters, and the real FailedScheduling message."""

from collections import Counter
from decimal import Decimal
from typing import Any

from .quantity import parse_quantity, parse_resources

Resources = dict[str, Decimal]

# Reasons a node cannot take a pod that preemption cannot fix (UnschedulableAndUnresolvable).
UNSCHEDULABLE_NODE = "node(s) were unschedulable"
AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"
TOO_MANY_PODS = "Too many pods"


def pod_requests(pod: dict[str, Any]) -> Resources:
    """Effective requests: sum over containers (requests default to limits), max with each init container."""
    spec = pod.get("spec") or {}

    def requests_of(container: dict[str, Any]) -> Resources:
        resources = container.get("resources") or {}
        merged = parse_resources(resources.get("limits"))
        merged.update(parse_resources(resources.get("requests")))
        return merged

    total: Resources = {}
    for container in spec.get("containers") or []:
        for name, value in requests_of(container).items():
            total[name] = total.get(name, Decimal(0)) + value
    for container in spec.get("initContainers") or []:
        for name, value in requests_of(container).items():
            total[name] = max(total.get(name, Decimal(0)), value)
    return total


def _tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    effect = toleration.get("effect")
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key")
    operator = toleration.get("operator") or "Equal"
    if not key:
        return operator == "Exists"
    if key != taint.get("key"):
        return False
    return operator == "Exists" or (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taint(pod: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
    """The first NoSchedule/NoExecute taint of the node that the pod does not tolerate."""
    tolerations = (pod.get("spec") or {}).get("tolerations") or []
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not any(_tolerates(t, taint) for t in tolerations):
            return dict(taint)
    return None


def _expression_matches(expr: dict[str, Any], values: dict[str, str]) -> bool:
    key, operator, wanted = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
    present = key in values
    if operator == "In":
        return present and values[key] in wanted
    if operator == "NotIn":
        return not present or values[key] not in wanted
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt") and present and wanted:
        try:
            have, limit = int(values[key]), int(wanted[0])
        except ValueError:
            return False
        return have > limit if operator == "Gt" else have < limit
    return False


def matches_node_affinity(pod: dict[str, Any], node: dict[str, Any]) -> bool:
    """nodeSelector (all labels) and requiredDuringSchedulingIgnoredDuringExecution (any term)."""
    spec = pod.get("spec") or {}
    labels = (node.get("metadata") or {}).get("labels") or {}
    for key, value in (spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    fields = {"metadata.name": (node.get("metadata") or {}).get("name", "")}
    for term in terms:
        exprs, field_exprs = term.get("matchExpressions") or [], term.get("matchFields") or []
        if not exprs and not field_exprs:
            continue
        if all(_expression_matches(e, labels) for e in exprs) and all(
            _expression_matches(e, fields) for e in field_exprs
        ):
            return True
    return False


def node_allocatable(node: dict[str, Any]) -> Resources:
    return parse_resources((node.get("status") or {}).get("allocatable"))


def fit_failures(
    pod: dict[str, Any],
    requests: Resources,
    node: dict[str, Any],
    used: Resources,
    allocatable: Resources | None = None,
) -> tuple[list[str], bool]:
    """Why the node cannot take the pod (empty: it fits), and whether preemption could not help.

    The filters run in the real scheduler's order; the first failing filter decides, as upstream.
    ``allocatable``: the node's, parsed already (default: parsed from the node).
    """
    spec = node.get("spec") or {}
    if spec.get("unschedulable"):
        return [UNSCHEDULABLE_NODE], True
    taint = untolerated_taint(pod, node)
    if taint is not None:
        return [f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value') or ''}}}"], True
    if not matches_node_affinity(pod, node):
        return [AFFINITY_MISMATCH], True
    if allocatable is None:
        allocatable = node_allocatable(node)
    reasons = []
    if used.get("pods", Decimal(0)) + 1 > allocatable.get("pods", Decimal(110)):
        reasons.append(TOO_MANY_PODS)
    ordered = ["cpu", "memory", "ephemeral-storage"]
    ordered += sorted(name for name in requests if name not in ordered)
    for name in ordered:
        wanted = requests.get(name, Decimal(0))
        if wanted > 0 and used.get(name, Decimal(0)) + wanted > allocatable.get(name, Decimal(0)):
            reasons.append(f"Insufficient {name}")
    return reasons, False


def unschedulable_message(node_count: int, failures: list[tuple[list[str], bool]]) -> str:
    """The real scheduler's FailedScheduling message, with the preemption summary."""
    if node_count == 0:
        return "no nodes available to schedule pods"
    counts: Counter[str] = Counter()
    preemption: Counter[str] = Counter()
    for reasons, unresolvable in failures:
        counts.update(reasons)
        if unresolvable:
            preemption["Preemption is not helpful for scheduling"] += 1
        else:
            preemption["No preemption victims found for incoming pod"] += 1
    main = ", ".join(sorted(f"{n} {reason}" for reason, n in counts.items()))
    after = ", ".join(sorted(f"{n} {reason}" for reason, n in preemption.items()))
    return (
        f"0/{node_count} nodes are available: {main}. "
        f"preemption: 0/{node_count} nodes are available: {after}."
    )


def choose_node(
    pod: dict[str, Any],
    nodes: list[dict[str, Any]],
    usage: dict[str, Resources],
    *,
    requests: Resources | None = None,
    allocatable: dict[str, Resources] | None = None,
) -> tuple[str | None, str]:
    """The node to bind the pod to (least loaded among those that fit), or None and the message why not.

    ``requests`` (the pod's) and ``allocatable`` (by node name) may be passed in parsed already."""
    if requests is None:
        requests = pod_requests(pod)
    fitting: list[tuple[int, str]] = []
    failures: list[tuple[list[str], bool]] = []
    for node in nodes:
        name = node["metadata"]["name"]
        used = usage.get(name, {})
        parsed = allocatable.get(name) if allocatable is not None else None
        reasons, unresolvable = fit_failures(pod, requests, node, used, parsed)
        if reasons:
            failures.append((reasons, unresolvable))
        else:
            fitting.append((int(used.get("pods", 0)), name))
    if fitting:
        return min(fitting)[1], ""
    return None, unschedulable_message(len(nodes), failures)


def add_usage(usage: Resources, requests: Resources, sign: int = 1) -> None:
    """Add (sign=1) or release (sign=-1) one pod's requests on a node's usage, in place."""
    for name, value in requests.items():
        usage[name] = usage.get(name, Decimal(0)) + sign * value
    usage["pods"] = usage.get("pods", Decimal(0)) + sign


__all__ = ["add_usage", "choose_node", "fit_failures", "parse_quantity", "pod_requests"]
