"""What the operator knows of the TaskSchedules of its namespace: each object's checked spec, or why it is
invalid. Fed by kopf's watch and by the schedule loop's own periodic listing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from k8s_tasks.schedules.spec import ScheduleSpec, SpecError, parse_spec

from ..kube import GROUP, VERSION

KIND = "TaskSchedule"


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class ScheduleState:
    """One TaskSchedule object: its spec checked (or its problems) and the status it last showed."""

    name: str
    namespace: str
    uid: str
    generation: int
    resource_version: str
    created: datetime
    spec: ScheduleSpec | None = None
    problems: list[str] = field(default_factory=list)
    raw_spec: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    """The status as the object last showed it (lastSuccessfulTime and the condition's transition time
    carry over from it)."""

    @property
    def reference(self) -> dict[str, Any]:
        """The object as an Event's involvedObject needs it."""
        return {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": KIND,
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "uid": self.uid,
                "resourceVersion": self.resource_version,
            },
        }


def load_schedule(body: dict[str, Any], default_namespace: str) -> ScheduleState:
    """Never raises: a bad spec becomes a state with every problem."""
    meta = body.get("metadata") or {}
    state = ScheduleState(
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace") or default_namespace),
        uid=str(meta.get("uid") or ""),
        generation=int(meta.get("generation") or 0),
        resource_version=str(meta.get("resourceVersion") or ""),
        created=parse_time(meta.get("creationTimestamp")) or datetime.now(UTC),
        status=dict(body.get("status") or {}),
    )
    spec = body.get("spec")
    if spec is not None and not isinstance(spec, dict):
        state.problems = [f"spec: {spec!r} is not an object"]
        return state
    state.raw_spec = dict(spec or {})
    try:
        state.spec = parse_spec(spec)
    except SpecError as error:
        state.problems = list(error.problems)
    except Exception as error:  # a task module that fails oddly: still a status, never a crash
        state.problems = [f"spec: could not be checked ({type(error).__name__}: {error})"]
    return state


def _version(meta: dict[str, Any]) -> int:
    value = str(meta.get("resourceVersion") or "")
    return int(value) if value.isdigit() else 0


class ScheduleRegistry:
    """TaskSchedules by name; the newest sight of each wins (a listing never brings back an older one)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._by_name: dict[str, ScheduleState] = {}
        self._versions: dict[str, int] = {}

    def apply(self, event_type: str | None, body: dict[str, Any]) -> ScheduleState | None:
        meta = body.get("metadata") or {}
        name = str(meta.get("name", ""))
        self._versions[name] = _version(meta)
        if event_type == "DELETED" or meta.get("deletionTimestamp"):
            self._by_name.pop(name, None)
            return None
        current = self._by_name.get(name)
        if (
            current is not None
            and current.uid == meta.get("uid")
            and current.generation == meta.get("generation")
        ):
            current.status = dict(body.get("status") or {})  # only the status changed: keep the checked spec
            current.resource_version = str(meta.get("resourceVersion") or "")
            return current
        state = load_schedule(body, self.namespace)
        self._by_name[name] = state
        return state

    def apply_listing(self, items: list[dict[str, Any]], list_version: str) -> None:
        """A full listing: objects newer than what the watch showed are applied; names it lacks are gone
        unless the watch showed them after the listing was taken."""
        listed = set()
        for body in items:
            meta = body.get("metadata") or {}
            name = str(meta.get("name", ""))
            listed.add(name)
            if _version(meta) and _version(meta) <= self._versions.get(name, 0) and name in self._by_name:
                continue
            self.apply(None, body)
        cutoff = int(list_version) if list_version.isdigit() else 0
        for name in list(self._by_name):
            if name not in listed and self._versions.get(name, 0) <= cutoff:
                self._by_name.pop(name, None)

    def clear(self) -> None:
        self._by_name.clear()

    def all(self) -> list[ScheduleState]:
        return sorted(self._by_name.values(), key=lambda s: s.name)

    def uids(self) -> set[str]:
        return {s.uid for s in self._by_name.values()}
