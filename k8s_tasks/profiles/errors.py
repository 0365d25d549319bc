"""Readable profile errors: every problem names the field path, the value and the fix.

spec.resources.limits.memory: 'lots' is not a Kubernetes quantity (use e.g. 512Mi or 2Gi)
spec.timeout: unknown field (did you mean 'timeoutSeconds'?)
"""

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()

_QUANTITY_HINTS = {
    "cpu": "use e.g. 500m or 2",
    "memory": "use e.g. 512Mi or 2Gi",
    "ephemeral-storage": "use e.g. 512Mi or 10Gi",
    "sizeLimit": "use e.g. 512Mi or 10Gi",
}


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where, what was given (MISSING if absent), why, and how to fix it."""

    field: str
    value: Any
    reason: str
    hint: str = ""
    show_value: bool = True

    def __str__(self) -> str:
        shown = f"{_show(self.value)} " if self.show_value and self.value is not MISSING else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.field}: {shown}{self.reason}{hint}"


class ProfileError(ValueError):
    """An invalid TaskQueue spec: ``problems`` lists them all; field/value/reason/hint give the first."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("ProfileError needs at least one problem")
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, field: str, value: Any, reason: str, hint: str = "") -> "ProfileError":
        return cls([FieldProblem(field, value, reason, hint)])

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def value(self) -> Any:
        return self.problems[0].value

    @property
    def reason(self) -> str:
        return self.problems[0].reason

    @property
    def hint(self) -> str:
        return self.problems[0].hint


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def field_path(root: str, loc: Iterable[int | str]) -> str:
    path = root
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "." in part or "/" in part:
            path += f"[{part!r}]"
        else:
            path += f".{part}"
    return path


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found.extend(_models_in(arg))
    return found


def known_fields(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The camelCase field names of the model found at ``loc`` inside ``model`` ([] if none)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return []
        field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return []
        nested = _models_in(field.annotation)
        current = nested[0] if nested else None
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _hint_for_quantity(loc: Sequence[int | str]) -> str:
    name = str(loc[-1]) if loc else ""
    if name in _QUANTITY_HINTS:
        return _QUANTITY_HINTS[name]
    if "/" in name:
        return "extended resources such as GPUs are whole numbers, e.g. 1"
    return "use e.g. 500m, 2, 512Mi or 2Gi"


def _describe(error: Any, model: type[BaseModel]) -> FieldProblem:
    loc: list[int | str] = list(error["loc"])
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input", MISSING)
    about_key = bool(loc) and loc[-1] == "[key]"
    if about_key:
        loc = loc[:-1]
    path = field_path("spec", loc)
    if kind == "extra_forbidden":
        known = known_fields(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "known fields: " + ", ".join(sorted(known))
        return FieldProblem(path, value, "unknown field", hint, show_value=False)
    if kind == "missing":
        return FieldProblem(path, MISSING, "is required")
    if kind == "quantity":
        return FieldProblem(path, value, "is not a Kubernetes quantity", _hint_for_quantity(loc))
    if "reason" in ctx and "hint" in ctx:
        return FieldProblem(path, value, ctx["reason"], ctx["hint"])
    if kind.startswith("int_"):
        return FieldProblem(path, value, "is not a whole number", "e.g. 30")
    if kind.startswith("float_"):
        return FieldProblem(path, value, "is not a number", "e.g. 2.5")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return FieldProblem(path, value, error["msg"].replace("Input should be", "must be"))
    if kind == "literal_error":
        if about_key:
            return FieldProblem(path, MISSING, f"is not allowed here: use one of {ctx['expected']}")
        return FieldProblem(path, value, f"is not one of {ctx['expected']}")
    if kind in ("string_type", "str_type"):
        return FieldProblem(path, value, "is not a string", 'quote it in YAML, e.g. "1"')
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return FieldProblem(path, value, "is not a mapping", "write it as key: value pairs")
    if kind == "list_type":
        return FieldProblem(path, value, "is not a list", "write it as a YAML list of items (- item)")
    if kind.startswith("bool_"):
        return FieldProblem(path, value, "is not a boolean", "use true or false")
    if kind in ("too_short", "string_too_short"):
        return FieldProblem(path, value, "must not be empty")
    return FieldProblem(path, value, error["msg"][:1].lower() + error["msg"][1:])


def problems_from(exc: ValidationError, model: type[BaseModel]) -> list[FieldProblem]:
    """Every pydantic error of validating ``spec`` against ``model``, as readable FieldProblems."""
    return [_describe(error, model) for error in exc.errors(include_url=False)]
