"""A small compiler from the Kubernetes OpenAPI JSON schemas to plain Python checks.

The built-in schemas use only type, $ref, properties, items, required, enum, additionalProperties and
(for Quantity / IntOrString) oneOf. Compiling them into closures once, with each $ref compiled once, is
more than ten times faster than a generic JSON Schema validator, which matters at hundreds of writes a
second. Each error is (path, keyword, message).
"""

import json
from collections.abc import Callable
from typing import Any

Error = tuple[tuple[str | int, ...], str, str]
Check = Callable[[Any, tuple[str | int, ...], list[Error]], None]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "null": lambda v: v is None,
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _show(value: Any) -> str:
    return json.dumps(value)[:80]


def _noop(value: Any, path: tuple[str | int, ...], errors: list[Error]) -> None:
    return None


class Compiler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.compiled: dict[str, Check] = {}

    def definition(self, name: str) -> Check:
        found = self.compiled.get(name)
        if found is not None:
            return found
        slot: list[Check] = []

        def late(value: Any, path: tuple[str | int, ...], errors: list[Error]) -> None:
            slot[0](value, path, errors)

        self.compiled[name] = late  # recursive definitions (JSONSchemaProps) refer to themselves
        slot.append(self.compile(self.defs.get(name, {})))
        self.compiled[name] = slot[0]
        return slot[0]

    def compile(self, schema: Any) -> Check:
        if not isinstance(schema, dict):
            return _noop
        ref = self.definition(schema["$ref"].rsplit("/", 1)[-1]) if "$ref" in schema else None
        types = self._types(schema)
        enum = schema.get("enum")
        required = tuple(schema.get("required") or ())
        props = {k: self.compile(v) for k, v in (schema.get("properties") or {}).items()}
        extra = schema.get("additionalProperties")
        extra_check = self.compile(extra) if isinstance(extra, dict) else None
        closed = extra is False
        items = self.compile(schema["items"]) if isinstance(schema.get("items"), dict) else None
        declared = schema.get("type")
        wanted = [declared] if isinstance(declared, str) else list(declared or [])
        type_names = " or ".join(n for n in wanted if n != "null") or "null"

        def check(value: Any, path: tuple[str | int, ...], errors: list[Error]) -> None:
            if types is not None and not any(t(value) for t in types):
                errors.append((path, "type", f"{_show(value)}: must be of type {type_names}"))
                return
            if enum is not None and value not in enum:
                errors.append(
                    (path, "enum", f"{_show(value)}: supported values: {', '.join(map(_show, enum))}")
                )
            if ref is not None:
                ref(value, path, errors)
            if isinstance(value, dict):
                for key in required:
                    if key not in value:
                        errors.append(((*path, key), "required", f"'{key}' is a required property"))
                for key, item in value.items():
                    sub = props.get(key)
                    if sub is not None:
                        sub(item, (*path, key), errors)
                    elif extra_check is not None:
                        extra_check(item, (*path, key), errors)
                    elif closed:
                        errors.append(((*path, key), "additionalProperties", f"unknown field {key!r}"))
            elif items is not None and isinstance(value, list):
                for index, item in enumerate(value):
                    items(item, (*path, index), errors)

        return check

    @staticmethod
    def _types(schema: dict[str, Any]) -> list[Callable[[Any], bool]] | None:
        names: list[str] = []
        declared = schema.get("type")
        if isinstance(declared, str):
            names.append(declared)
        elif isinstance(declared, list):
            names.extend(declared)
        for option in schema.get("oneOf") or []:
            sub = option.get("type") if isinstance(option, dict) else None
            names.extend([sub] if isinstance(sub, str) else sub or [])
        if not names:
            return None
        return [_TYPES[n] for n in dict.fromkeys(names) if n in _TYPES]
