"""The three patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge patch.

Strategic merge reads ``x-kubernetes-patch-merge-key`` / ``x-kubernetes-patch-strategy`` from the
Kubernetes OpenAPI definitions, so keyed lists (containers, env, volumes, conditions, ...) merge by key.
"""

from typing import Any

from .errors import BadRequest, Invalid, UnsupportedMediaType
from .objects import clone
from .resources import ResourceType
from .validation import definition_name, definitions

Defs = dict[str, Any]


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise BadRequest(f"invalid JSON patch path {path!r}: it must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    for part in parts:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            raise Invalid(
                f"the server rejected our request due to an error in our request: "
                f"JSON patch path {path!r} does not exist"
            )
    return doc


def _add(doc: Any, parts: list[str], value: Any, path: str, replace: bool) -> Any:
    if not parts:
        return value
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise Invalid(f"JSON patch replace: path {path!r} does not exist")
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            if replace:
                parent[int(last)] = value
            else:
                parent.insert(int(last), value)
        else:
            raise Invalid(f"JSON patch: index {last!r} out of range in path {path!r}")
    else:
        raise Invalid(f"JSON patch: path {path!r} does not point into an object or list")
    return doc


def _remove(doc: Any, parts: list[str], path: str) -> Any:
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise Invalid(f"JSON patch remove: path {path!r} does not exist")


def json_patch(target: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise BadRequest('a JSON patch must be a list of operations, e.g. [{"op": "add", ...}]')
    doc = clone(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise BadRequest(f"invalid JSON patch operation {op!r}: each needs 'op' and 'path'")
        kind, path = op["op"], op["path"]
        parts = _pointer(path)
        if kind == "add":
            doc = _add(doc, parts, clone(op.get("value")), path, replace=False)
        elif kind == "replace":
            doc = _add(doc, parts, clone(op.get("value")), path, replace=True)
        elif kind == "remove":
            _remove(doc, parts, path)
        elif kind in ("move", "copy"):
            source = _pointer(op.get("from", ""))
            value = _remove(doc, source, op["from"]) if kind == "move" else clone(_walk(doc, source, path))
            doc = _add(doc, parts, value, path, replace=False)
        elif kind == "test":
            if _walk(doc, parts, path) != op.get("value"):
                raise Invalid(f"JSON patch test failed: the value at {path!r} is not {op.get('value')!r}")
        else:
            raise BadRequest(f"unknown JSON patch op {kind!r}: use add, remove, replace, move, copy or test")
    return doc


def _resolve(schema: Any, defs: Defs) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if isinstance(schema, dict) and "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], defs)
    return schema if isinstance(schema, dict) else {}


def strategic_merge(target: Any, patch: Any, schema: Any, defs: Defs) -> Any:
    """Apply a strategic merge patch; ``schema`` is the target's definition (or {} when unknown)."""
    if not isinstance(patch, dict):
        return clone(patch)
    if patch.get("$patch") == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    schema = _resolve(schema, defs)
    props = schema.get("properties") or {}
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key.startswith("$retainKeys") or key == "$patch":
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            result[name] = [v for v in result.get(name) or [] if v not in value]
            continue
        if value is None:
            result.pop(key, None)
            continue
        field = _resolve(props.get(key, {}), defs)
        if "additionalProperties" in schema and key not in props:
            field = _resolve(schema["additionalProperties"], defs)
        if isinstance(value, list) and field.get("x-kubernetes-patch-strategy", "").find("merge") >= 0:
            result[key] = _merge_list(result.get(key) or [], value, field, defs)
        elif isinstance(value, dict):
            result[key] = strategic_merge(result.get(key), value, field, defs)
        else:
            result[key] = clone(value)
    return result


def _merge_list(current: list[Any], patch: list[Any], field: Any, defs: Defs) -> list[Any]:
    merge_key = field.get("x-kubernetes-patch-merge-key")
    if not merge_key:  # a merged list of primitives: union, keeping order
        return list(current) + [v for v in patch if v not in current]
    items = _resolve(field.get("items", {}), defs)
    result = [clone(v) for v in current]
    for item in patch:
        if not isinstance(item, dict):
            continue
        index = next((i for i, v in enumerate(result) if v.get(merge_key) == item.get(merge_key)), None)
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append({k: clone(v) for k, v in item.items() if k != "$patch"})
        else:
            result[index] = strategic_merge(result[index], item, items, defs)
    return result


def apply_patch(rt: ResourceType, current: dict[str, Any], body: Any, patch_type: str) -> dict[str, Any]:
    """The patched object (``current`` is not changed); patch_type is merge, json or strategic."""
    if patch_type == "merge":
        if not isinstance(body, dict):
            raise BadRequest("a merge patch must be a JSON object")
        patched = merge_patch(current, body)
    elif patch_type == "json":
        patched = json_patch(current, body)
    elif patch_type == "strategic":
        def_name = definition_name(rt)
        if rt.is_custom or def_name is None:
            raise UnsupportedMediaType(
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json-patch+json, application/merge-patch+json "
                f"(strategic merge patch is not supported for {rt.kind})"
            )
        defs = definitions()["$defs"]
        patched = strategic_merge(current, body, defs[def_name], defs)
    else:
        raise UnsupportedMediaType(f"unsupported patch type {patch_type!r}: use merge, json or strategic")
    if not isinstance(patched, dict):
        raise BadRequest("the patch did not produce an object")
    return patched
