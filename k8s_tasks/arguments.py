"""Task arguments must survive a JSON round trip exactly: decided here, before anything is stored.

One walk both checks the values and builds their stored form (tuples become lists, as django.tasks does);
the path to a bad value (``args[0][1]['deep']``) is only put together when there is one.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .exceptions import InvalidTaskArguments

FIX = (
    "Pass only JSON types (str, int, float, bool, None, list, dict with str keys); convert other values "
    "first, e.g. a datetime with .isoformat(), a Decimal with str(), a model instance with its pk."
)


class _NotJSON(Exception):
    """A value JSON cannot carry exactly: what is wrong with it, and the path to it (filled in going up)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
        self.path: list[str] = []


def _plain(value: Any) -> Any:
    """``value`` as stored: containers copied, tuples as lists; _NotJSON if anything cannot be stored."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _NotJSON(f"is {value!r}, which JSON cannot represent")
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotJSON(f"has the key {key!r} of type {type(key).__name__}; JSON keys are strings")
            try:
                out[key] = _plain(item)
            except _NotJSON as problem:
                problem.path.insert(0, f"[{key!r}]")
                raise
        return out
    if isinstance(value, list | tuple):
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_plain(item))
            except _NotJSON as problem:
                problem.path.insert(0, f"[{index}]")
                raise
        return items
    raise _NotJSON(f"is {value!r} of type {type(value).__module__}.{type(value).__qualname__}")


def json_arguments(
    task_path: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The stored form of the arguments; InvalidTaskArguments naming the argument, its value and the fix."""
    where = "args"
    try:
        plain_args = _plain(list(args))
        where = "kwargs"
        plain_kwargs = _plain(dict(kwargs))
    except _NotJSON as problem:
        raise InvalidTaskArguments(
            f"Cannot enqueue {task_path}: {where}{''.join(problem.path)} {problem.what}. {FIX}"
        ) from None
    return plain_args, plain_kwargs
