"""What the operator knows of the TaskQueues it watches, and the status it reports on each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from k8s_tasks.profiles import ProfileError, QueueProfile, parse_profile


@dataclass
class QueueState:
    """One TaskQueue object: its parsed profile, or why it is invalid."""

    name: str
    queue_name: str
    generation: int
    uid: str = ""
    profile: QueueProfile | None = None
    errors: list[str] = field(default_factory=list)
    conflict: str = ""
    """Set while another TaskQueue already serves the same queue name."""

    @property
    def valid(self) -> bool:
        return self.profile is not None and not self.conflict

    @property
    def problems(self) -> list[str]:
        return [*self.errors, *([self.conflict] if self.conflict else [])]


def _version(meta: dict[str, Any]) -> int:
    value = str(meta.get("resourceVersion") or "")
    return int(value) if value.isdigit() else 0


def load_queue(body: dict[str, Any], pod_security: str = "restricted") -> QueueState:
    """Parse a TaskQueue body, its final pod spec held to the Pod Security level `pod_security`. Never
    raises: an invalid spec becomes a state with readable errors (all of them)."""
    meta = body.get("metadata", {})
    name = str(meta.get("name", ""))
    spec = body.get("spec") or {}
    queue_name = str(spec.get("queueName") or name)
    state = QueueState(
        name=name,
        queue_name=queue_name,
        generation=int(meta.get("generation") or 0),
        uid=str(meta.get("uid") or ""),
    )
    try:
        state.profile = parse_profile(name, dict(spec), pod_security=pod_security)
    except ProfileError as exc:
        state.errors = [str(exc)]
    return state


class QueueRegistry:
    """TaskQueues by object name, fed by the watch; several objects may not claim one queue name."""

    def __init__(self, pod_security: str = "restricted") -> None:
        self.pod_security = pod_security
        self._by_name: dict[str, QueueState] = {}
        self._versions: dict[str, int] = {}
        """The resourceVersion of the newest sight of each name (its deletion included)."""

    def apply(self, event_type: str | None, body: dict[str, Any]) -> QueueState | None:
        """A watch event (kopf's): always the newest news of the object."""
        meta = body.get("metadata", {})
        name = meta.get("name", "")
        self._versions[name] = _version(meta)
        if event_type == "DELETED" or meta.get("deletionTimestamp"):
            self._by_name.pop(name, None)
            return None
        state = load_queue(body, self.pod_security)
        self._by_name[name] = state
        return state

    def apply_listed(self, body: dict[str, Any]) -> QueueState | None:
        """An object from our own listing at start: ignored if the watch has already shown it newer (or
        its deletion), so the listing never brings back an older spec."""
        meta = body.get("metadata", {})
        if _version(meta) and _version(meta) <= self._versions.get(meta.get("name", ""), 0):
            return self._by_name.get(meta.get("name", ""))
        return self.apply(None, body)

    def all(self) -> list[QueueState]:
        return list(self._by_name.values())

    def valid(self) -> list[QueueState]:
        """Valid queues; of two objects naming one queue, the first by name wins, the other is invalid."""
        seen: dict[str, QueueState] = {}
        for state in sorted(self._by_name.values(), key=lambda s: s.name):
            state.conflict = ""
            if state.profile is None:
                continue
            if state.queue_name in seen:
                state.conflict = (
                    f"spec.queueName: queue '{state.queue_name}' is already served by TaskQueue "
                    f"'{seen[state.queue_name].name}'; give each queue exactly one TaskQueue"
                )
                continue
            seen[state.queue_name] = state
        return list(seen.values())

    def known_queue_names(self) -> set[str]:
        return {s.queue_name for s in self.valid()}


def queue_status(
    state: QueueState,
    counts: dict[str, int],
    *,
    isolated_by: str | None = None,
    pod_security: str = "restricted",
) -> dict[str, Any]:
    """The status block of a TaskQueue: counts, pool, GPUs, the Valid condition, the Pod Security level its
    pods are held to, and for an isolated queue the NetworkPolicy that isolates it."""
    profile = state.profile
    status: dict[str, Any] = {
        "queueName": state.queue_name,
        "ready": counts.get("ready", 0),
        "running": counts.get("running", 0),
        "succeeded": counts.get("succeeded", 0),
        "failed": counts.get("failed", 0),
        "observedGeneration": state.generation,
    }
    status["podSecurity"] = pod_security
    if profile is not None and state.valid:
        status["pool"] = profile.pool
        status["gpus"] = profile.gpus
        if profile.network == "isolated":
            status["isolation"] = (
                f"NetworkPolicy {isolated_by}: no ingress, no egress; pods run sealed (no database)"
                if isolated_by
                else "waiting for its NetworkPolicy: nothing is dispatched until it exists"
            )
        condition = {
            "type": "Valid",
            "status": "True",
            "reason": "ProfileAccepted",
            "message": "Profile is valid",
        }
    else:
        condition = {
            "type": "Valid",
            "status": "False",
            "reason": "InvalidSpec",
            "message": "; ".join(state.problems),
        }
    status["conditions"] = [condition]
    return status
