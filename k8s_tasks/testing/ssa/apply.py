"""Server-side apply, as structured-merge-diff's Updater.Apply does it on the object kinds this cluster
serves: the applied configuration is merged into the live object (maps and structs field by field,
associative lists item by item, sets by value, everything else replaced), fields the applier set last time
and no longer sets are removed unless another manager owns them, and a field another manager owns whose
value would change is a conflict: 409 ``Apply failed with 1 conflict: conflict with "m" using v1 at ...:
.data.x`` (the field manager's wording), unless forced, which takes the field over.

Approximated: values are compared leaf by leaf, an item removed from an associative list stays while
another manager owns something inside it, and no conversion between API versions is made.
"""

import json
from typing import Any

from ..errors import Conflict
from ..objects import clone, now_iso
from ..resources import ResourceType
from .fieldset import Path, compare, item_element, path_text
from .managed import APPLY, UPDATE, Manager, Owned, encode, owned_members, parse
from .shapes import ANY, Shape, shape_of

BEFORE_FIRST_APPLY = "before-first-apply"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def merge(live: Any, config: Any, shape: Shape) -> Any:
    """The live value with the applied one merged in; neither is changed."""
    if isinstance(live, dict) and isinstance(config, dict) and shape.kind != "list" and not shape.atomic:
        out = dict(live)
        for key, value in config.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merge(live[key], value, shape.child(key)) if key in live else clone(value)
        return out
    if isinstance(live, list) and isinstance(config, list) and shape.kind == "list" and not shape.atomic:
        if shape.list_type == "set":
            return list(live) + [clone(v) for v in config if v not in live]
        element = shape.element or ANY
        out_list = list(live)
        index = {item_element(item, shape, i): i for i, item in enumerate(out_list)}
        for i, item in enumerate(config):
            at = index.get(item_element(item, shape, i))
            if at is None:
                out_list.append(clone(item))
            else:
                out_list[at] = merge(out_list[at], item, element)
        return out_list
    return clone(config)


def _remove(obj: Any, path: Path, shape: Shape) -> None:
    node, node_shape = obj, shape
    for element in path[:-1]:
        node, node_shape = _descend(node, element, node_shape)
        if node is None:
            return
    last = path[-1]
    if last.startswith("f:") and isinstance(node, dict):
        node.pop(last[2:], None)
    elif isinstance(node, list):
        node[:] = [item for i, item in enumerate(node) if item_element(item, node_shape, i) != last]


def _descend(node: Any, element: str, shape: Shape) -> tuple[Any, Shape]:
    if element.startswith("f:") and isinstance(node, dict):
        return node.get(element[2:]), shape.child(element[2:])
    if isinstance(node, list):
        for i, item in enumerate(node):
            if item_element(item, shape, i) == element:
                return item, shape.element or ANY
    return None, ANY


def _conflict(conflicts: dict[Manager, list[str]], times: dict[Manager, str | None]) -> Conflict:
    ordered = sorted(conflicts.items(), key=lambda kv: (kv[0].name, kv[0].operation, kv[0].api_version))
    count = sum(len(paths) for paths in conflicts.values())
    causes = [
        {"reason": "FieldManagerConflict", "message": f"conflict with {m.printed(times[m])}", "field": p}
        for m, paths in ordered
        for p in paths
    ]
    if count == 1:
        (manager, (path,)), *_ = ordered
        message = f"Apply failed with 1 conflict: conflict with {manager.printed(times[manager])}: {path}"
    else:
        lines = []
        for manager, paths in ordered:
            lines.append(f"conflicts with {manager.printed(times[manager])}:")
            lines.extend(f"- {p}" for p in paths)
        message = f"Apply failed with {count} conflicts: " + "\n".join(lines)
    return Conflict(message, details={"causes": causes})


def _last_applied(rt: ResourceType, live: dict[str, Any], subresource: str) -> set[Path]:
    """The fields of the live object's last-applied-configuration annotation that still hold its values."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    try:
        config = json.loads(text) if text else None
    except ValueError:
        return set()
    if not isinstance(config, dict):
        return set()
    current = owned_members(rt, live, subresource)
    return {p for p, v in owned_members(rt, config, subresource).items() if p in current and current[p] == v}


def apply(
    rt: ResourceType,
    live: dict[str, Any] | None,
    config: dict[str, Any],
    manager: Manager,
    force: bool,
) -> dict[str, Any]:
    """The object an apply of ``config`` by ``manager`` makes of ``live`` (None: it is created), with its
    managedFields. Raises the 409 of the conflicts unless ``force``."""
    config = dict(config)
    if manager.subresource != "status" and "status" in rt.subresources:
        config.pop("status", None)  # a main-resource apply leaves the status alone, as its strategy resets it
    applied = set(owned_members(rt, config, manager.subresource))
    if live is None:
        new = clone(config)
        new.setdefault("metadata", {})["managedFields"] = encode(
            {manager.identity: Owned(manager, applied, now_iso())}
        )
        return new
    shape = shape_of(rt)
    managed = parse(live)
    if not managed:  # what no manager was recorded for belongs to the one before the first apply
        earlier = Manager(BEFORE_FIRST_APPLY, UPDATE, manager.api_version)
        managed = {earlier.identity: Owned(earlier, set(owned_members(rt, live)), None)}
    last = managed[manager.identity].paths if manager.identity in managed else set()
    managed[manager.identity] = Owned(manager, applied, now_iso())
    owned = set().union(*(o.paths for o in managed.values()))
    new = merge(live, config, shape)
    for path in sorted(last - owned, key=len, reverse=True):
        if not any(p[: len(path)] == path for p in owned):
            _remove(new, path, shape)
    added, removed, modified = compare(
        owned_members(rt, live, manager.subresource), owned_members(rt, new, manager.subresource)
    )
    touched = added | modified
    clashes = {
        i: o.paths & touched for i, o in managed.items() if i != manager.identity and o.paths & touched
    }
    if clashes and not force and manager.name == "kubectl":
        # lastAppliedManager: kubectl taking over from its own client-side apply is no conflict
        allowed = _last_applied(rt, live, manager.subresource)
        force = all(paths <= allowed for paths in clashes.values())
    if clashes and not force:
        conflicts = {managed[i].manager: sorted(path_text(p) for p in paths) for i, paths in clashes.items()}
        raise _conflict(conflicts, {managed[i].manager: managed[i].time for i in clashes})
    for identity, other in managed.items():
        if identity != manager.identity:
            other.paths -= clashes.get(identity, set()) | removed
    new["metadata"] = {**new.get("metadata", {}), "managedFields": encode(managed)}
    return new


__all__ = ["APPLY", "apply", "merge"]
