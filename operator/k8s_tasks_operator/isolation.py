"""The operator owns the isolation of isolated queues: one NetworkPolicy per isolated TaskQueue.

The policy selects the queue's task pods by the labels the operator puts on them (k8stasks.io/queue and
k8stasks.io/network=isolated) and lists both policy types with no rule: no ingress, no egress at all (sealed
pods need neither: their task comes in a mounted Secret, their outcome goes out in their termination
message). It is owned by its TaskQueue, so it goes when the queue goes, and a `kubectl apply` of a
TaskQueue is as isolated as a chart install. It is checked (and made again, or put back) at start, when
the TaskQueue changes and at every resync; an isolated queue dispatches nothing until its policy exists.
"""

from __future__ import annotations

from typing import Any

from k8s_tasks.profiles import labels

from . import crd, kube
from .queues import QueueState
from .runtime import Runtime, blocking, logger

PREFIX = "k8s-tasks-isolate-"


def policy_name(state: QueueState) -> str:
    return (PREFIX + state.name)[:63].rstrip("-.")


def policy_for(state: QueueState, namespace: str) -> dict[str, Any]:
    """The deny-all NetworkPolicy of an isolated queue, owned by its TaskQueue."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": policy_name(state),
            "namespace": namespace,
            "labels": {labels.MANAGED_BY: labels.MANAGED_BY_VALUE, labels.QUEUE: state.queue_name},
            "ownerReferences": [
                {
                    "apiVersion": f"{crd.GROUP}/{crd.VERSION}",
                    "kind": crd.KIND,
                    "name": state.name,
                    "uid": state.uid,
                    "controller": True,
                    "blockOwnerDeletion": False,
                }
            ],
        },
        "spec": {
            "podSelector": {
                "matchLabels": {
                    labels.QUEUE: labels.sanitize_label_value(state.queue_name),
                    labels.NETWORK: "isolated",
                }
            },
            "policyTypes": ["Ingress", "Egress"],
        },
    }


def differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return bool(current.get("spec") != wanted["spec"])


async def ensure_all(rt: Runtime) -> None:
    """Every valid queue's isolation as its profile says, from one listing of our NetworkPolicies: an
    isolated queue's policy is made or put back; the policy of a queue that is no longer isolated goes
    (an invalid queue keeps its policy: a typo must not lift isolation). Errors are logged; the next pass
    retries, and until then the queue dispatches nothing."""
    namespace = rt.config.namespace
    isolated = any(q.profile is not None and q.profile.network == "isolated" for q in rt.queues.valid())
    if not isolated and not rt.isolated_by and rt.policies_checked:
        return  # nothing isolated, nothing to lift since the last look: no request
    try:
        listed = {p["metadata"]["name"]: p for p in await blocking(kube.list_policies, namespace)}
    except Exception as exc:
        rt.isolated_by.clear()
        rt.policies_checked = False
        logger.warning("listing NetworkPolicies failed (%s); isolated queues wait", kube.describe_error(exc))
        return
    rt.policies_checked = True
    for state in rt.queues.valid():
        assert state.profile is not None
        name = policy_name(state)
        try:
            if state.profile.network == "isolated":
                wanted = policy_for(state, namespace)
                current = listed.get(name)
                if current is None:
                    await blocking(kube.create_policy, namespace, wanted)
                    logger.info("queue %s is isolated by NetworkPolicy %s", state.queue_name, name)
                elif differs(current, wanted):
                    await blocking(kube.replace_policy, namespace, name, {**current, "spec": wanted["spec"]})
                    logger.warning(
                        "NetworkPolicy %s (queue %s) had been changed: put back", name, state.queue_name
                    )
                rt.isolated_by[state.queue_name] = name
            else:
                rt.isolated_by.pop(state.queue_name, None)
                if name in listed:
                    await blocking(kube.delete_policy, namespace, name)
                    logger.info(
                        "queue %s is not isolated any more: NetworkPolicy %s deleted", state.queue_name, name
                    )
        except Exception as exc:
            rt.isolated_by.pop(state.queue_name, None)
            logger.warning(
                "isolation of queue %s: %s; will retry", state.queue_name, kube.describe_error(exc)
            )
