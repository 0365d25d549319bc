"""Merging a profile's partial ``podTemplate`` over the generated pod template (the escape hatch).

The rules are a small, predictable subset of Kubernetes' strategic merge patch:
- mappings merge key by key, recursively; a ``null`` in the patch removes the key;
- lists of named items (containers, initContainers, volumes, env, volumeMounts, ports, ...) merge item by
  item on ``name``: an item with a known name is merged into it, a new name is appended;
- any other list, and every scalar, is replaced by the patch's value.
"""

import copy
from typing import Any


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and "name" in item for item in items)


def _merge_named(base: list[Any], patch: list[Any]) -> list[Any]:
    merged = [copy.deepcopy(item) for item in base]
    index = {item["name"]: i for i, item in enumerate(merged)}
    for item in patch:
        if item["name"] in index:
            i = index[item["name"]]
            merged[i] = merge(merged[i], item)
        else:
            index[item["name"]] = len(merged)
            merged.append(copy.deepcopy(item))
    return merged


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A new dict: ``patch`` merged over ``base`` (neither is modified)."""
    result = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        elif (
            isinstance(value, list)
            and isinstance(result.get(key), list)
            and _named(value)
            and _named(result[key])
        ):
            result[key] = _merge_named(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
