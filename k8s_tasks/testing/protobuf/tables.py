"""The message tables: which protobuf field numbers the Kubernetes API types use, and how Go's encoding/json
writes each field, read from the ``tables/*.txt`` files.

The facts come from the Go struct tags in kubernetes/api ``*/types.go`` and kubernetes/apimachinery
``pkg/apis/meta/v1/types.go`` (each file names the commit it was read from); ``generated.proto`` is generated
from the same tags. A tag such as ``Replicas *int32 `json:"replicas,omitempty" protobuf:"varint,1,opt"```` is
written ``replicas=1:*i``. The notation, one message per line, ``Name field field ...``:

- ``json=N:TYPE`` plus flags: ``!`` the json tag has no ``omitempty`` (the field is always written, a zero or
  null when unset), ``~`` it has ``omitzero`` (a zero struct is left out). ``^name=N:TYPE`` is an inlined
  (``json:",inline"``) message whose fields appear in the parent.
- TYPE: ``s`` string, ``i`` int32/int64 (a varint; negative numbers as ten-byte two's complement), ``b`` bool,
  ``y`` bytes (base64 in JSON), ``f`` double, or a message name. ``*`` before it: a Go pointer (written when
  set, even when zero). ``[T]``: repeated. ``{T}``: a ``map[string]T``.
- A message name is looked up in the same file, or ``ns.Name`` in another (``meta``, ``core``, ``apps``, ...);
  ``Time``, ``MicroTime``, ``Quantity``, ``IntOrString`` and ``FieldsV1`` are the apimachinery types with
  their own JSON form.
"""

import functools
from dataclasses import dataclass
from importlib import resources

SPECIAL = frozenset({"Time", "MicroTime", "Quantity", "IntOrString", "FieldsV1"})
SCALARS = frozenset({"s", "i", "b", "y", "f"})
NAMESPACES = (
    "meta",
    "core",
    "apps",
    "batch",
    "rbac",
    "networking",
    "coordination",
    "events",
    "policy",
    "autoscaling",
    "scheduling",
    "node",
    "authentication",
    "authorization",
)


@dataclass(frozen=True)
class Field:
    json: str
    number: int
    type: str  # a scalar code, a special type, or a qualified message name ("core.PodSpec")
    pointer: bool = False
    repeated: bool = False
    map: bool = False
    always: bool = False  # no omitempty: written even when zero
    omitzero: bool = False
    inline: bool = False

    @property
    def scalar(self) -> bool:
        return self.type in SCALARS


@dataclass(frozen=True)
class Message:
    name: str  # qualified: "core.Pod"
    fields: tuple[Field, ...]
    by_number: dict[int, Field]


class TableError(ValueError):
    """A line of a table file does not follow the notation."""


def _parse_field(namespace: str, text: str) -> Field:
    head, _, spec = text.partition("=")
    number_text, _, type_text = spec.partition(":")
    if not head or not number_text.isdigit() or not type_text:
        raise TableError(f"bad field {text!r} in namespace {namespace}")
    inline = head.startswith("^")
    always = type_text.endswith("!")
    omitzero = type_text.endswith("~")
    type_text = type_text.rstrip("!~")
    pointer = type_text.startswith("*")
    type_text = type_text.lstrip("*")
    repeated = type_text.startswith("[") and type_text.endswith("]")
    is_map = type_text.startswith("{") and type_text.endswith("}")
    if repeated or is_map:
        type_text = type_text[1:-1]
    if type_text not in SCALARS and type_text not in SPECIAL and "." not in type_text:
        type_text = f"{namespace}.{type_text}"
    return Field(
        json=head.lstrip("^"),
        number=int(number_text),
        type=type_text,
        pointer=pointer,
        repeated=repeated,
        map=is_map,
        always=always,
        omitzero=omitzero,
        inline=inline,
    )


def parse(namespace: str, text: str) -> dict[str, Message]:
    """The messages of one table file, by qualified name."""
    messages: dict[str, Message] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, *field_texts = line.split()
        fields = tuple(_parse_field(namespace, f) for f in field_texts)
        qualified = f"{namespace}.{name}"
        messages[qualified] = Message(qualified, fields, {f.number: f for f in fields})
    return messages


@functools.cache
def messages() -> dict[str, Message]:
    """Every message of every table file, loaded once; references are checked to resolve."""
    found: dict[str, Message] = {}
    folder = resources.files(__package__).joinpath("tables")
    for namespace in NAMESPACES:
        found.update(parse(namespace, folder.joinpath(f"{namespace}.txt").read_text()))
    for message in found.values():
        for field in message.fields:
            if not field.scalar and field.type not in SPECIAL and field.type not in found:
                raise TableError(f"{message.name}.{field.json} names {field.type}, which no table defines")
    return found
