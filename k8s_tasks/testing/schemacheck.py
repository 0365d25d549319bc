"""The decoding kube-apiserver does before anything else, for the built-in kinds, compiled from the
Kubernetes OpenAPI JSON schemas into plain Python checks (each $ref compiled once; more than ten times
faster than a generic JSON Schema validator, which matters at hundreds of writes a second).

What Go's JSON decoder (sigs.k8s.io/json) refuses becomes the first error, worded as Go words it: a value of
the wrong JSON type (``json: cannot unmarshal string into Go struct field JobSpec.spec.backoffLimit of
type int32``, reported after the rest was read, as encoding/json saves it), a Quantity that does not parse
(``quantities must match the regular expression ...``, at once). Fields the type does not have are the
strict decoding errors (``unknown field "spec.foo"``), which the caller reports, warns about or ignores
by the request's field validation; they are dropped from the object as the typed decoder drops them.
Missing required fields are noted for kinds that have no validation port of their own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .apivalidation.quantity import QuantityError, quantity_of

Path = tuple[str | int, ...]
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_ANNOTATIONS = frozenset({"description", "format", "x-kubernetes-group-version-kind"})


@dataclass
class Decoded:
    """What decoding one object found."""

    fatal: str | None = None  # an error that stops decoding (a custom unmarshaller's)
    type_error: str | None = None  # the first wrong JSON type, reported once decoding ends
    unknown: list[tuple[dict[str, Any], str, Path]] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        return self.fatal or self.type_error


Check = Callable[[Any, Path, Decoded], None]
Accept = tuple[tuple[type, ...], bool] | None


def json_kind(value: Any) -> str:
    """How encoding/json names a JSON value in an UnmarshalTypeError."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, float) and not value.is_integer():
        return f"number {value!r}"
    return "number"


def go_field(path: Path) -> str:
    return ".".join(p for p in path if isinstance(p, str))


def display(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _go_ref(name: str) -> str:
    parts = name.split(".")
    return f"{parts[-2]}.{parts[-1]}" if len(parts) > 1 else name


def _noop(value: Any, path: Path, out: Decoded) -> None:
    return None


def _quantity(value: Any, path: Path, out: Decoded) -> None:
    if value is None or out.fatal:
        return
    try:
        quantity_of(value)
    except QuantityError as error:
        out.fatal = str(error)


def _int_or_string(value: Any, path: Path, out: Decoded) -> None:
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return
    if not out.fatal:
        out.fatal = f"json: cannot unmarshal {json_kind(value)} into Go value of type int32"


class Compiler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.compiled: dict[str, Check] = {}

    def definition(self, name: str) -> Check:
        found = self.compiled.get(name)
        if found is not None:
            return found
        if name == QUANTITY:
            return _quantity
        if name == INT_OR_STRING:
            return _int_or_string
        slot: list[Check] = []

        def late(value: Any, path: Path, out: Decoded) -> None:
            slot[0](value, path, out)

        self.compiled[name] = late  # recursive definitions (JSONSchemaProps) refer to themselves
        slot.append(self.compile(self.defs.get(name, {}), name.rsplit(".", 1)[-1]))
        self.compiled[name] = slot[0]
        return slot[0]

    def go_type(self, schema: Any) -> str:
        if not isinstance(schema, dict):
            return "interface {}"
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return _go_ref(name)
        types = self._type_names(schema)
        if "integer" in types:
            return {"int32": "int32", "int64": "int64"}.get(schema.get("format", ""), "int")
        if "number" in types:
            return "float64"
        if "boolean" in types:
            return "bool"
        if "string" in types:
            return "string"
        if "array" in types:
            return "[]" + self.go_type(schema.get("items"))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            inner = self.go_type(extra)
            return "v1.ResourceList" if inner == "resource.Quantity" else f"map[string]{inner}"
        return "map[string]interface {}"

    @staticmethod
    def _type_names(schema: dict[str, Any]) -> list[str]:
        declared = schema.get("type")
        names = [declared] if isinstance(declared, str) else list(declared or [])
        return [n for n in names if n != "null"]

    def acceptance(self, schema: Any) -> Accept:
        """The Python types a JSON value may have to decode into the schema's Go type (None: any)."""
        while isinstance(schema, dict) and "$ref" in schema and "type" not in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in (QUANTITY, INT_OR_STRING):  # their own unmarshallers judge
                return None
            schema = self.defs.get(name, {})
        if not isinstance(schema, dict):
            return None
        types = tuple(t for n in self._type_names(schema) for t in _PY_TYPES.get(n, ()))
        return (types, int in types and float not in types) if types else None

    def compile(self, schema: Any, owner: str) -> Check:
        """A check of one value against ``schema``; ``owner`` names the Go struct whose fields these are."""
        if not isinstance(schema, dict):
            return _noop
        if "$ref" in schema and set(schema) <= {"$ref"} | _ANNOTATIONS:
            return self.definition(schema["$ref"].rsplit("/", 1)[-1])
        props = schema.get("properties") or {}
        required = tuple(schema.get("required") or ())
        extra = schema.get("additionalProperties")
        closed = extra is False
        fields = {k: (self.compile(v, owner), self.acceptance(v), self.go_type(v)) for k, v in props.items()}
        extra_field = (
            (self.compile(extra, owner), self.acceptance(extra), self.go_type(extra))
            if isinstance(extra, dict)
            else None
        )
        items_schema = schema.get("items")
        item_field = (
            (self.compile(items_schema, owner), self.acceptance(items_schema), self.go_type(items_schema))
            if isinstance(items_schema, dict)
            else None
        )

        def check(value: Any, path: Path, out: Decoded) -> None:
            if isinstance(value, dict):
                for key in required:
                    if key not in value:
                        out.missing.append((*path, key))
                for key, item in value.items():
                    found = fields.get(key) or extra_field
                    if found is None:
                        if closed:
                            out.unknown.append((value, key, (*path, key)))
                        continue
                    sub, accept, go_type = found
                    if item is None:
                        continue
                    if accept is not None and not _accepts(accept, item):
                        _type_error(out, item, owner, (*path, key), go_type)
                    else:
                        sub(item, (*path, key), out)
            elif item_field is not None and isinstance(value, list):
                sub, accept, go_type = item_field
                for index, item in enumerate(value):
                    if item is None:
                        continue
                    if accept is not None and not _accepts(accept, item):
                        _type_error(out, item, owner, path, go_type)
                    else:
                        sub(item, (*path, index), out)

        return check


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


def _accepts(accept: tuple[tuple[type, ...], bool], value: Any) -> bool:
    types, integral = accept
    if value.__class__ is bool:
        return bool in types
    if integral and value.__class__ is float:
        return bool(value.is_integer())  # a whole number written 2.0 is taken, as our clients may
    return isinstance(value, types)


def _type_error(out: Decoded, value: Any, owner: str, path: Path, go_type: str) -> None:
    if out.type_error is None:
        out.type_error = (
            f"json: cannot unmarshal {json_kind(value)} into Go struct field {owner}.{go_field(path)} "
            f"of type {go_type}"
        )
