"""Field sets as structured-merge-diff builds them (typed.ToFieldSet): every scalar, every atomic value,
every list item, every key of a map that is not a declared field, and every empty or null field. A path is
a tuple of the elements FieldsV1 uses as keys (``f:name``, ``k:{"name":"main"}``, ``v:"x"``, ``i:0``).

``members`` gives each member with the value it has, so two objects can be compared as upstream's
typed.Compare does (added, removed, modified leaves); ``fields_v1`` / ``from_fields_v1`` convert to and
from the managedFields encoding; ``path_text`` is fieldpath.Path.String() (``.spec.containers[name="x"]``).
"""

import json
from typing import Any

from .shapes import ANY, Shape

Path = tuple[str, ...]
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
NODE = object()  # the value recorded for a list item or map key that has members below it
# metadata that no manager owns (the field manager's strip set)
STRIPPED = frozenset(
    {
        ("f:apiVersion",),
        ("f:kind",),
        ("f:metadata",),
        *(
            ("f:metadata", f"f:{name}")
            for name in (
                "name",
                "namespace",
                "creationTimestamp",
                "selfLink",
                "uid",
                "clusterName",
                "generation",
                "managedFields",
                "resourceVersion",
            )
        ),
    }
)


def item_element(item: Any, shape: Shape, index: int) -> str:
    """The path element of a list item: its keys, its value (a set), or its index."""
    if shape.list_type == "map" and isinstance(item, dict):
        keys = {k: item.get(k) for k in sorted(shape.keys) if k in item}
        return "k:" + _JSON(keys)
    if shape.list_type == "set":
        return "v:" + _JSON(item)
    return f"i:{index}"


def members(value: Any, shape: Shape, path: Path = ()) -> dict[Path, Any]:
    out: dict[Path, Any] = {}
    _walk(value, shape, path, out)
    return out


def _walk(value: Any, shape: Shape, path: Path, out: dict[Path, Any]) -> None:
    if isinstance(value, dict) and shape.kind in ("struct", "map", "any") and not shape.atomic:
        for key, item in value.items():
            sub = shape.child(key)
            child = (*path, f"f:{key}")
            before = len(out)
            _walk(item, sub, child, out)
            if item is None or item == {} or not shape.declares(key):
                out.setdefault(child, item if len(out) == before else NODE)
        return
    if isinstance(value, list) and shape.kind == "list" and not shape.atomic:
        element = shape.element or ANY
        for index, item in enumerate(value):
            child = (*path, item_element(item, shape, index))
            before = len(out)
            _walk(item, element, child, out)
            out.setdefault(child, item if len(out) == before else NODE)
        return
    if path:
        out[path] = value


def map_nodes(value: Any, shape: Shape, path: Path = ()) -> set[Path]:
    """The paths of the granular maps (labels, annotations, data, ...) in an object. An Update that adds one
    owns the map itself too (upstream compares against the type's zero value, where a nil map is absent
    while a struct is present and empty), which FieldsV1 shows as ".": {} under it."""
    found: set[Path] = set()
    if isinstance(value, dict) and not shape.atomic:
        if shape.kind == "map" and path and value:
            found.add(path)
        if shape.kind in ("struct", "map", "any"):
            for key, item in value.items():
                if isinstance(item, dict | list):
                    found |= map_nodes(item, shape.child(key), (*path, f"f:{key}"))
    elif isinstance(value, list) and shape.kind == "list" and not shape.atomic:
        element = shape.element or ANY
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found |= map_nodes(item, element, (*path, item_element(item, shape, index)))
    return found


_META_STRIPPED = frozenset(p[1][2:] for p in STRIPPED if len(p) == 2)


def created_fields(obj: dict[str, Any], shape: Shape, status_kept: bool) -> dict[str, Any]:
    """The FieldsV1 an Update that creates ``obj`` owns, in one walk (what ``fields_v1`` of its stripped
    members and new maps gives, without building the paths): the create path runs for every object."""
    top: dict[str, Any] = {}
    for key in sorted(obj):
        if key in ("apiVersion", "kind") or (key == "status" and not status_kept):
            continue
        value = obj[key]
        if key == "metadata" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in _META_STRIPPED}
            if not value:
                continue
        node = _tree(value, shape.child(key), not shape.declares(key))
        top[f"f:{key}"] = node
    return top


def _tree(value: Any, shape: Shape, member: bool) -> dict[str, Any]:
    """The FieldsV1 node of a value; ``member``: the node itself is a member when it has children."""
    children: dict[str, Any] = {}
    if isinstance(value, dict) and shape.kind in ("struct", "map", "any") and not shape.atomic:
        for key in sorted(value):
            children[f"f:{key}"] = _tree(value[key], shape.child(key), not shape.declares(key))
        member = member or shape.kind == "map"
    elif isinstance(value, list) and shape.kind == "list" and not shape.atomic:
        element = shape.element or ANY
        items = {item_element(item, shape, i): item for i, item in enumerate(value)}
        for key in sorted(items, key=_order):
            children[key] = _tree(items[key], element, True)
    if children and member:
        return {".": {}, **children}
    return children


def strip(found: dict[Path, Any], status_kept: bool, status_only: bool = False) -> dict[Path, Any]:
    """The members a manager can own: without the server-set metadata, and (for a kind with a status
    subresource) without the status on the main resource or with the status alone on the subresource."""
    kept = {}
    for path, value in found.items():
        if path in STRIPPED:
            continue
        in_status = path[0] == "f:status"
        if (status_only and not in_status) or (not status_only and in_status and not status_kept):
            continue
        kept[path] = value
    return kept


def compare(old: dict[Path, Any], new: dict[Path, Any]) -> tuple[set[Path], set[Path], set[Path]]:
    """(added, removed, modified) between the members of two versions of an object."""
    added = {p for p in new if p not in old}
    removed = {p for p in old if p not in new}
    modified = {p for p, v in new.items() if p in old and v is not NODE and old[p] != v}
    return added, removed, modified


def fields_v1(paths: set[Path] | dict[Path, Any]) -> dict[str, Any]:
    """The FieldsV1 tree of a set of paths: a member that has members below it gets "."."""
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        for element in path:
            node = node.setdefault(element, {})
    for path in paths:
        node = root
        for element in path:
            node = node[element]
        if node:
            node["."] = {}
    return _sorted(root)


def _order(key: str) -> tuple[int, str]:
    return (0, "") if key == "." else ("fkvi".find(key[0]) + 1, key)


def _sorted(node: dict[str, Any]) -> dict[str, Any]:
    return {k: _sorted(node[k]) for k in sorted(node, key=_order)}


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    if not isinstance(tree, dict):
        return paths
    for key, child in tree.items():
        if key == ".":
            if prefix:
                paths.add(prefix)
            continue
        path = (*prefix, key)
        if not child:
            paths.add(path)
        else:
            paths |= from_fields_v1(child, path)
    return paths


def _element_text(element: str) -> str:
    kind, _, rest = element.partition(":")
    if kind == "f":
        return "." + rest
    if kind == "k":
        keys = json.loads(rest)
        return "[" + ",".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in keys.items()) + "]"
    if kind == "v":
        return f"[={rest}]"
    return f"[{rest}]"


def path_text(path: Path) -> str:
    return "".join(_element_text(e) for e in path)
