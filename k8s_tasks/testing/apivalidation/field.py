"""Field errors as apimachinery's ``util/validation/field`` has them: a type, a path, the bad value and a
detail; ``ErrorBody`` renders the value the way Go's fmt does for the value's type (a string quoted with
``%q``, a number or bool bare, a Quantity by its canonical form, a map as ``%#v`` would print it), and
``ToAggregate`` drops repeated messages and wraps several in ``[...]``.
"""

import json
from dataclasses import dataclass
from typing import Any

from ..errors import Invalid

NOT_FOUND, REQUIRED, DUPLICATE = "FieldValueNotFound", "FieldValueRequired", "FieldValueDuplicate"
INVALID, NOT_SUPPORTED, FORBIDDEN = "FieldValueInvalid", "FieldValueNotSupported", "FieldValueForbidden"
TOO_LONG, TOO_MANY, INTERNAL = "FieldValueTooLong", "FieldValueTooMany", "InternalError"
_TITLES = {
    NOT_FOUND: "Not found",
    REQUIRED: "Required value",
    DUPLICATE: "Duplicate value",
    INVALID: "Invalid value",
    NOT_SUPPORTED: "Unsupported value",
    FORBIDDEN: "Forbidden",
    TOO_LONG: "Too long",
    TOO_MANY: "Too many",
    INTERNAL: "Internal error",
}
_NO_VALUE = frozenset({REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL})


class GoText:
    """A value already rendered as Go prints it (a struct's ``%#v``, a Stringer's String())."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoText) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


OMIT = GoText("")  # field.OmitValueType{}: the body names no value


def go_quote(text: str) -> str:
    """Go's %q (strconv.Quote) for the strings validation errors carry: JSON's escaping is the same for
    printable text, except that Go leaves non-ASCII letters as they are."""
    return json.dumps(text, ensure_ascii=False)


def go_value(value: Any) -> str:
    """A bad value as ErrorBody prints it."""
    if value is None:
        return '"null"'
    if isinstance(value, GoText):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, dict):  # map[string]string as %#v prints it: keys sorted
        items = ", ".join(f"{go_quote(str(k))}:{go_quote(str(v))}" for k, v in sorted(value.items()))
        return "map[string]string{" + items + "}"
    if isinstance(value, list):  # []string as %#v prints it
        return "[]string{" + ", ".join(go_quote(str(v)) for v in value) + "}"
    return str(value)


@dataclass(frozen=True)
class FieldError:
    type: str
    field: str
    bad_value: Any = ""
    detail: str = ""

    def body(self) -> str:
        """ErrorBody: the message without the field."""
        if self.type in _NO_VALUE or self.bad_value is OMIT:
            text = _TITLES[self.type]
        else:
            text = f"{_TITLES[self.type]}: {go_value(self.bad_value)}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


def invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(INVALID, path, value, detail)


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(REQUIRED, path, "", detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(FORBIDDEN, path, "", detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(DUPLICATE, path, value)


def not_found(path: str, value: Any) -> FieldError:
    return FieldError(NOT_FOUND, path, value)


def too_long(path: str, max_length: int) -> FieldError:
    return FieldError(TOO_LONG, path, "", f"must have at most {max_length} bytes")


def not_supported(path: str, value: Any, valid: list[str] | tuple[str, ...]) -> FieldError:
    detail = "supported values: " + ", ".join(go_quote(v) for v in valid) if valid else ""
    return FieldError(NOT_SUPPORTED, path, value, detail)


def aggregate(errors: list[FieldError]) -> str:
    """ErrorList.ToAggregate().Error(): repeated messages once, several in [a, b]."""
    seen: dict[str, None] = {}
    for error in errors:
        seen.setdefault(str(error), None)
    texts = list(seen)
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"


def to_invalid(kind: str, group: str, name: str, errors: list[FieldError]) -> Invalid:
    """apierrors.NewInvalid: 422 ``Kind.group "name" is invalid: <aggregate>`` with one cause per error."""
    qualified = f"{kind}.{group}" if group else kind
    return Invalid(
        f"{qualified} {go_quote(name)} is invalid: {aggregate(errors)}",
        details={
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [{"reason": e.type, "message": e.body(), "field": e.field} for e in errors],
        },
    )
