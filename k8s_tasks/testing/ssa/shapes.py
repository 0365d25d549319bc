"""The shape of each node of an object as structured-merge-diff sees it, read from the Kubernetes OpenAPI
definitions (built-in kinds) or a CRD's openAPIV3Schema: a struct (declared fields), a map (any keys),
a list (associative by its keys, a set, or atomic), or a scalar; maps and structs may be atomic.

Lists follow ``x-kubernetes-list-type`` / ``-list-map-keys``, or the older patch strategy (merge with a
merge key: associative; merge alone: a set), else are atomic, as the API server's type converter
decides. Where nothing is declared (a CRD's preserved unknown fields), maps are granular and lists atomic.
"""

import functools
from dataclasses import dataclass, field
from typing import Any

from ..resources import ResourceType
from ..validation import definition_name, definitions


@dataclass
class Shape:
    kind: str  # "struct", "map", "list", "scalar" or "any"
    atomic: bool = False
    fields: dict[str, "Shape"] = field(default_factory=dict)
    element: "Shape | None" = None
    list_type: str = "atomic"  # "map", "set" or "atomic"
    keys: tuple[str, ...] = ()

    def child(self, key: str) -> "Shape":
        if self.kind == "struct":
            found = self.fields.get(key)
            if found is not None:
                return found
        return self.element or ANY

    def declares(self, key: str) -> bool:
        return self.kind == "struct" and key in self.fields


ANY = Shape("any")
SCALAR = Shape("scalar")


class Shapes:
    """Shapes compiled from one set of schemas, each $ref once (recursive definitions share theirs)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.by_ref: dict[str, Shape] = {}

    def ref(self, name: str) -> Shape:
        found = self.by_ref.get(name)
        if found is not None:
            return found
        shape = Shape("any")
        self.by_ref[name] = shape  # filled in place, so a recursive reference sees the final shape
        built = self.build(self.defs.get(name, {}))
        shape.__dict__.update(built.__dict__)
        return shape

    def build(self, schema: Any) -> Shape:
        if not isinstance(schema, dict):
            return ANY
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name.endswith(("resource.Quantity", "intstr.IntOrString")):
                return SCALAR
            base = self.ref(name)
            atomic = schema.get("x-kubernetes-map-type") == "atomic" or base.atomic
            return base if atomic == base.atomic else Shape(**{**base.__dict__, "atomic": atomic})
        declared = schema.get("type")
        names = {declared} if isinstance(declared, str) else set(declared or [])
        if "array" in names or "items" in schema:
            return self._list(schema)
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        atomic = schema.get("x-kubernetes-map-type") == "atomic"
        if props:
            return Shape("struct", atomic, {k: self.build(v) for k, v in props.items()})
        if isinstance(extra, dict):
            return Shape("map", atomic, element=self.build(extra))
        if "object" in names or schema.get("x-kubernetes-preserve-unknown-fields"):
            return Shape("map", atomic, element=ANY)
        return SCALAR if names else ANY

    def _list(self, schema: dict[str, Any]) -> Shape:
        element = self.build(schema.get("items"))
        list_type = schema.get("x-kubernetes-list-type")
        keys = tuple(schema.get("x-kubernetes-list-map-keys") or ())
        strategy = str(schema.get("x-kubernetes-patch-strategy") or "")
        if list_type is None and "merge" in strategy:
            merge_key = schema.get("x-kubernetes-patch-merge-key")
            list_type, keys = ("map", (merge_key,)) if merge_key else ("set", ())
        if list_type == "map" and not keys:
            list_type = "atomic"
        return Shape(
            "list", list_type == "atomic", element=element, list_type=list_type or "atomic", keys=keys
        )


@functools.cache
def _builtin_shapes() -> Shapes:
    return Shapes(definitions()["$defs"])


_custom: dict[int, tuple[Any, Shape]] = {}


def shape_of(rt: ResourceType) -> Shape:
    """The root shape of a kind's objects."""
    if rt.is_custom:
        cached = _custom.get(id(rt.schema))
        if cached is None or cached[0] is not rt.schema:
            cached = (rt.schema, Shapes({}).build(rt.schema))
            _custom[id(rt.schema)] = cached
        return cached[1]
    name = definition_name(rt)
    return _builtin_shapes().ref(name) if name else ANY
