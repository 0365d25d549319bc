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

_TYPES: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}
_ANNOTATIONS = frozenset({"description", "format", "x-kubernetes-group-version-kind"})


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
        if "$ref" in schema and set(schema) <= {"$ref"} | _ANNOTATIONS:  # a plain reference
            return self.definition(schema["$ref"].rsplit("/", 1)[-1])
        ref = self.definition(schema["$ref"].rsplit("/", 1)[-1]) if "$ref" in schema else None
        types = self._types(schema)
        # isinstance(True, int) holds, but a boolean is no integer or number
        no_bool = types is not None and int in types and bool not in types
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
        structured = ref is not None or required or props or extra_check is not None or closed or items

        def type_error(value: Any, path: tuple[str | int, ...], errors: list[Error]) -> None:
            errors.append((path, "type", f"{_show(value)}: must be of type {type_names}"))

        if types is None and enum is None and not structured:  # no constraint at all
            return _noop
        if types is not None and enum is None and not structured:  # a scalar: the type is all there is

            def leaf(value: Any, path: tuple[str | int, ...], errors: list[Error]) -> None:
                if not isinstance(value, types) or (no_bool and value.__class__ is bool):
                    type_error(value, path, errors)

            return leaf

        def check(value: Any, path: tuple[str | int, ...], errors: list[Error]) -> None:
            if types is not None and (not isinstance(value, types) or (no_bool and value.__class__ is bool)):
                type_error(value, path, errors)
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
    def _types(schema: dict[str, Any]) -> tuple[type, ...] | None:
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
        return tuple(t for n in dict.fromkeys(names) if n in _TYPES for t in _TYPES[n])
