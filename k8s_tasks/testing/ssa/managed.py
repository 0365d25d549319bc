"""metadata.managedFields as the API server's field manager keeps it: one entry per manager (name,
operation, and for Update its apiVersion; the subresource it wrote through), each with the FieldsV1 set it
owns and the time of its last change, sorted by operation, time, manager, apiVersion and subresource.

An Update (create, PUT, a non-apply PATCH) gives its manager the fields it added or changed and takes them
from every other manager; removed fields leave every manager.
"""

import json
from dataclasses import dataclass
from typing import Any

from ..objects import now_iso
from ..resources import ResourceType
from .fieldset import Path, compare, created_fields, fields_v1, from_fields_v1, map_nodes, members, strip
from .shapes import shape_of

APPLY, UPDATE = "Apply", "Update"


@dataclass(frozen=True)
class Manager:
    """Who writes: the fieldManager (or the User-Agent's product), how, and through which subresource."""

    name: str
    operation: str
    api_version: str
    subresource: str = ""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        # an applier is the same manager whatever version it applies with
        return (
            self.name,
            self.operation,
            self.api_version if self.operation == UPDATE else "",
            self.subresource,
        )

    def printed(self, time: str | None) -> str:
        """printManager: how a conflict names this manager."""
        text = json.dumps(self.name)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            return f"{text} using {self.api_version}" + (f" at {time}" if time else "")
        return text


@dataclass
class Owned:
    manager: Manager
    paths: set[Path]
    time: str | None


Managed = dict[tuple[str, str, str, str], Owned]


def parse(obj: dict[str, Any] | None) -> Managed:
    managed: Managed = {}
    for entry in ((obj or {}).get("metadata") or {}).get("managedFields") or []:
        if not isinstance(entry, dict):
            continue
        manager = Manager(
            str(entry.get("manager") or ""),
            str(entry.get("operation") or UPDATE),
            str(entry.get("apiVersion") or ""),
            str(entry.get("subresource") or ""),
        )
        paths = from_fields_v1(entry.get("fieldsV1"))
        found = managed.get(manager.identity)
        if found is not None:
            found.paths |= paths
        else:
            managed[manager.identity] = Owned(manager, paths, entry.get("time"))
    return managed


def encode(managed: Managed) -> list[dict[str, Any]]:
    entries = []
    for owned in managed.values():
        if not owned.paths:
            continue
        m = owned.manager
        entry: dict[str, Any] = {"manager": m.name, "operation": m.operation, "apiVersion": m.api_version}
        if owned.time:
            entry["time"] = owned.time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = fields_v1(owned.paths)
        if m.subresource:
            entry["subresource"] = m.subresource
        entries.append(entry)
    entries.sort(
        key=lambda e: (
            e["operation"],
            e.get("time") or "",
            e["manager"],
            e["apiVersion"],
            e.get("subresource", ""),
        )
    )
    return entries


def owned_members(rt: ResourceType, obj: dict[str, Any] | None, subresource: str = "") -> dict[Path, Any]:
    """The members of an object a manager writing through ``subresource`` can own."""
    if not obj:
        return {}
    status_kept = "status" not in rt.subresources
    return strip(members(obj, shape_of(rt)), status_kept, status_only=subresource == "status")


def record_update(
    rt: ResourceType,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    manager: Manager,
    base: list[dict[str, Any]] | None = None,
) -> None:
    """Set new's managedFields after an Update by ``manager`` (old is None on create); ``base``: the
    managedFields the client sent, which stand instead of old's."""
    if old is None:
        fields = created_fields(new, shape_of(rt), "status" not in rt.subresources)
        entry: dict[str, Any] = {
            "manager": manager.name,
            "operation": manager.operation,
            "apiVersion": manager.api_version,
            "time": now_iso(),
            "fieldsType": "FieldsV1",
            "fieldsV1": fields,
        }
        if manager.subresource:
            entry["subresource"] = manager.subresource
        if fields:
            new["metadata"]["managedFields"] = [entry]
        return
    managed = parse({"metadata": {"managedFields": base}} if base is not None else old)
    added, removed, modified = compare(
        owned_members(rt, old, manager.subresource), owned_members(rt, new, manager.subresource)
    )
    changed = added | modified
    if changed:
        shape = shape_of(rt)
        new_maps = map_nodes(new, shape) - (map_nodes(old, shape) if old else set())
        changed |= {p for p in new_maps if p[0] != "f:status" or manager.subresource == "status"}
    if not changed and not removed and old is not None:
        new["metadata"]["managedFields"] = encode(managed)
        return
    for identity, owned in managed.items():
        if identity != manager.identity:
            owned.paths -= changed | removed
    mine = managed.get(manager.identity)
    paths = ((mine.paths if mine else set()) - removed) | changed
    managed[manager.identity] = Owned(manager, paths, now_iso())
    new["metadata"]["managedFields"] = encode(managed)
