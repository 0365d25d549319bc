"""Task arguments must survive a JSON round trip exactly: decided here, before anything is stored."""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .exceptions import InvalidTaskArguments

FIX = (
    "Pass only JSON types (str, int, float, bool, None, list, dict with str keys); convert other values "
    "first, e.g. a datetime with .isoformat(), a Decimal with str(), a model instance with its pk."
)


def _problem(value: Any, where: str) -> str | None:
    """The first value under ``where`` that JSON cannot carry exactly, described; None if all fine."""
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value!r}, which JSON cannot represent"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has the key {key!r} of type {type(key).__name__}; JSON keys are strings"
            problem = _problem(item, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(value, list | tuple):  # tuples are normalised to lists, as django.tasks does
        for index, item in enumerate(value):
            problem = _problem(item, f"{where}[{index}]")
            if problem:
                return problem
        return None
    return f"{where} is {value!r} of type {type(value).__module__}.{type(value).__qualname__}"


def validate_arguments(task_path: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """Raise InvalidTaskArguments naming the argument, its value and the fix."""
    problem = _problem(list(args), "args") or _problem(dict(kwargs), "kwargs")
    if problem:
        raise InvalidTaskArguments(f"Cannot enqueue {task_path}: {problem}. {FIX}")


def to_json(args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The stored form of validated arguments: nested tuples become lists."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    return plain(list(args)), plain(dict(kwargs))
