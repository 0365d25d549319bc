"""A Deployment's status from its ReplicaSets, with the Available and Progressing conditions worded and
ordered as the deployment controller writes them (calculateStatus and syncRolloutStatus)."""

from datetime import datetime
from typing import Any

from ..objects import parse_time
from .rollout import max_unavailable, spec_replicas

COMPLETE, UPDATED, CREATED, TIMED_OUT = (
    "NewReplicaSetAvailable",
    "ReplicaSetUpdated",
    "NewReplicaSetCreated",
    "ProgressDeadlineExceeded",
)


def _count(objs: list[dict[str, Any]], field: str) -> int:
    return sum(int((obj.get("status") or {}).get(field) or 0) for obj in objs)


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def set_condition(conditions: list[dict[str, Any]], new: dict[str, Any], *, refresh: bool = False) -> None:
    """SetDeploymentCondition: unchanged status and reason keep the old one (unless ``refresh``, the
    Progressing special case); an unchanged status keeps its lastTransitionTime; the new one goes last."""
    current = next((c for c in conditions if c["type"] == new["type"]), None)
    if current is not None and current["status"] == new["status"]:
        if current["reason"] == new["reason"] and not refresh:
            return
        new["lastTransitionTime"] = current["lastTransitionTime"]
    conditions[:] = [c for c in conditions if c["type"] != new["type"]] + [new]


def _progressing(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def olds(status: dict[str, Any]) -> int:
        return int(status.get("replicas") or 0) - int(status.get("updatedReplicas") or 0)

    return (
        int(new.get("updatedReplicas") or 0) > int(old.get("updatedReplicas") or 0)
        or olds(new) < olds(old)
        or int(new.get("readyReplicas") or 0) > int(old.get("readyReplicas") or 0)
        or int(new.get("availableReplicas") or 0) > int(old.get("availableReplicas") or 0)
    )


def _timed_out(deployment: dict[str, Any], conditions: list[dict[str, Any]], now: datetime) -> bool:
    deadline = deployment["spec"].get("progressDeadlineSeconds")
    current = next((c for c in conditions if c["type"] == "Progressing"), None)
    if deadline is None or current is None or current["reason"] in (COMPLETE, TIMED_OUT):
        return current is not None and current["reason"] == TIMED_OUT
    since = parse_time(current.get("lastUpdateTime"))
    return since is not None and (now - since).total_seconds() > int(deadline)


def deployment_status(
    deployment: dict[str, Any],
    all_rss: list[dict[str, Any]],
    new_rs: dict[str, Any] | None,
    now: datetime,
    stamp: str,
    created: bool,
) -> dict[str, Any]:
    old = deployment.get("status") or {}
    desired = spec_replicas(deployment)
    fields = {
        "observedGeneration": int(deployment["metadata"].get("generation") or 1),
        "replicas": _count(all_rss, "replicas"),
        "updatedReplicas": _count([new_rs], "replicas") if new_rs is not None else 0,
        "readyReplicas": _count(all_rss, "readyReplicas"),
        "availableReplicas": _count(all_rss, "availableReplicas"),
        "unavailableReplicas": max(
            sum(spec_replicas(rs) for rs in all_rss) - _count(all_rss, "availableReplicas"), 0
        ),
    }
    status: dict[str, Any] = {k: v for k, v in fields.items() if v}
    conditions = [dict(c) for c in old.get("conditions") or []]
    if status.get("availableReplicas", 0) >= desired - max_unavailable(deployment):
        available = _condition(
            "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", stamp
        )
    else:
        available = _condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            stamp,
        )
    set_condition(conditions, available)
    name = new_rs["metadata"]["name"] if new_rs is not None else ""
    if created:
        set_condition(
            conditions, _condition("Progressing", "True", CREATED, f'Created new replica set "{name}"', stamp)
        )
    progress = next((c for c in conditions if c["type"] == "Progressing"), None)
    finished = (
        status.get("replicas", 0) == status.get("updatedReplicas", 0)
        and (progress or {}).get("reason") == COMPLETE
    )
    if deployment["spec"].get("progressDeadlineSeconds") is not None and not finished and new_rs is not None:
        if all(status.get(k, 0) == desired for k in ("updatedReplicas", "replicas", "availableReplicas")):
            message = f'ReplicaSet "{name}" has successfully progressed.'
            set_condition(conditions, _condition("Progressing", "True", COMPLETE, message, stamp))
        elif _progressing(old, status):
            message = f'ReplicaSet "{name}" is progressing.'
            set_condition(
                conditions, _condition("Progressing", "True", UPDATED, message, stamp), refresh=True
            )
        elif _timed_out(deployment, conditions, now):
            message = f'ReplicaSet "{name}" has timed out progressing.'
            set_condition(conditions, _condition("Progressing", "False", TIMED_OUT, message, stamp))
    status["conditions"] = conditions
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    return status
