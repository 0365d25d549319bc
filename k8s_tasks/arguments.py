"""What a task's arguments and return value may be, decided before anything is stored.

Arguments must survive a JSON round trip exactly (tuples become lists, as django.tasks does). One walk
both checks the values and builds their stored form, and on the way enforces the payload limits:

- nesting: no list or dict deeper than ``MAX_NESTING_DEPTH`` levels inside one argument (a 5,000-deep list
  is refused at level 33, without ever recursing further);
- strings PostgreSQL refuses in jsonb, NUL and lone surrogates, in values and in keys, on every database;
- size: the walk adds up an upper bound of the JSON size (6 bytes per character, which no escape or UTF-8
  sequence exceeds; a float's longest repr; an int's digits from its bit length), and only when that bound
  is over ``MAX_ARGUMENTS_BYTES`` is the exact size computed, with ``json.dumps`` of each argument.

The size is that of the compact JSON text in UTF-8 (``json.dumps(value, ensure_ascii=False,
separators=(",", ":"))``). The path to a bad value (``args[0][1]['deep']``) is only put together when there
is one. Return values are checked the same way, after Django's own normalisation (``normalize_json``: tuples
and other sequences as lists, UTF-8 bytes as str), by ``json_result`` in the task pod.
"""

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .conf import DEFAULT_MAX_ARGUMENTS_BYTES, DEFAULT_MAX_NESTING_DEPTH, DEFAULT_MAX_RESULT_BYTES
from .exceptions import InvalidTaskArguments, InvalidTaskResult

TYPE_FIX = (
    "Pass only JSON types (str, int, float, bool, None, list, dict with str keys); convert other values "
    "first, e.g. a datetime with .isoformat(), a Decimal with str(), a model instance with its pk."
)
RESULT_TYPE_FIX = (
    "Return only JSON types (str, int, float, bool, None, list, dict with str keys); convert other values "
    "first, e.g. a datetime with .isoformat(), a Decimal with str(), a model instance with its pk."
)
STRING_FIX = "Remove the character, or encode the data first (e.g. base64) or pass a reference to it."
BYTES_FIX = "Decode them first (value.decode()), or encode binary data as text (base64)."
INT_FIX = "Send it as a string (str(value)) and convert it back where it is read."
DEPTH_FIX = (
    "Flatten the data or pass a reference to it (e.g. a storage key) instead, or raise "
    "{setting}['MAX_NESTING_DEPTH']."
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_FLOAT_BOUND = 24  # the longest repr of a float: '-2.2250738585072014e-308'
_INT_BITS_CHECKED = 12_000  # ints this long may exceed sys.get_int_max_str_digits() (4300 digits)
_SHORT = 60


@dataclass(frozen=True)
class PayloadLimits:
    """The limits of one backend, and where they are set (for the messages)."""

    max_bytes: int = DEFAULT_MAX_ARGUMENTS_BYTES
    max_depth: int = DEFAULT_MAX_NESTING_DEPTH
    setting: str = "TASKS['default']['OPTIONS']"


DEFAULT_ARGUMENT_LIMITS = PayloadLimits()
DEFAULT_RESULT_LIMITS = PayloadLimits(max_bytes=DEFAULT_MAX_RESULT_BYTES)


class _NotJSON(Exception):
    """A value that cannot be stored: what is wrong with it, the fix, Django's own wording if it has one,
    and the path to it (filled in going up)."""

    def __init__(self, what: str, fix: str = TYPE_FIX, django: str = "") -> None:
        super().__init__(what)
        self.what, self.fix, self.django = what, fix, django
        self.path: list[str] = []


class _Walk:
    """The state of one walk: the depth limit, and the upper bound of the JSON size so far."""

    __slots__ = ("max_depth", "size")

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.size = 0


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def _type_name(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _string_problem(text: str) -> str | None:
    """Why PostgreSQL's jsonb cannot hold ``text`` (None if it can). Called only for strings that hold
    a NUL or are not ASCII, which ``"\\x00" in text`` and ``text.isascii()`` tell at C speed."""
    index = text.find("\x00")
    if index >= 0:
        return (
            f"holds a NUL character ('\\x00') at index {index}, which PostgreSQL cannot store in JSON "
            "(refused on every database, so that tasks move between databases)"
        )
    found = _LONE_SURROGATE.search(text)
    if found:
        return (
            f"holds the lone surrogate {found.group()!r} at index {found.start()}, which is not valid "
            "Unicode (it has no UTF-8 form) and which PostgreSQL refuses in JSON"
        )
    return None


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise _NotJSON(f"has the key {_short(key)} of type {type(key).__name__}; JSON keys are strings")
    if "\x00" in key or not key.isascii():
        problem = _string_problem(key)
        if problem:
            raise _NotJSON(f"has the key {_short(key)} that {problem}", STRING_FIX)


def _int_bound(value: int) -> int:
    """An upper bound of the length of ``str(value)``; _NotJSON if Python refuses to write it."""
    bits = value.bit_length()
    if bits > _INT_BITS_CHECKED:
        try:
            return len(str(value))
        except ValueError:
            raise _NotJSON(
                f"is an integer of about {int(bits * 0.30103)} digits, more than Python writes as JSON "
                "text (sys.get_int_max_str_digits())",
                INT_FIX,
            ) from None
    return bits // 3 + 5  # digits <= bits * log10(2) + 1, a sign; 'false' is 5


def _too_deep(walk: _Walk) -> _NotJSON:
    return _NotJSON(
        f"is nested {walk.max_depth + 1} levels deep, over the limit of {walk.max_depth}", DEPTH_FIX
    )


def _plain(value: Any, depth: int, walk: _Walk) -> Any:
    """``value`` as stored: containers copied, tuples as lists; _NotJSON if anything cannot be stored.
    ``depth`` counts the containers around ``value`` within its argument."""
    if isinstance(value, str):
        if "\x00" in value or not value.isascii():
            problem = _string_problem(value)
            if problem:
                raise _NotJSON(f"is a string that {problem}", STRING_FIX)
        walk.size += 6 * len(value) + 2
        return value
    if isinstance(value, int) or value is None:  # bool is an int
        walk.size += 5 if value is None or -512 < value < 1024 else _int_bound(value)
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            walk.size += _FLOAT_BOUND
            return value
        raise _NotJSON(f"is {value!r}, which JSON cannot represent")
    if isinstance(value, Mapping):
        if depth >= walk.max_depth:
            raise _too_deep(walk)
        walk.size += 1 + 2 * len(value)  # braces, colons and commas
        out = {}
        for key, item in value.items():
            if type(key) is not str or "\x00" in key or not key.isascii():
                _check_key(key)
            walk.size += 6 * len(key) + 2
            try:
                out[key] = _plain(item, depth + 1, walk)
            except _NotJSON as problem:
                problem.path.insert(0, f"[{_short(key)}]")
                raise
        return out
    if isinstance(value, list | tuple):
        if depth >= walk.max_depth:
            raise _too_deep(walk)
        walk.size += 2 + len(value)  # brackets and commas
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_plain(item, depth + 1, walk))
            except _NotJSON as problem:
                problem.path.insert(0, f"[{index}]")
                raise
        return items
    if isinstance(value, bytes):
        raise _NotJSON(
            f"is {_short(value)} of type bytes, which JSON cannot carry exactly",
            BYTES_FIX,
            django=f"Unsupported value: {type(value)}",
        )
    raise _NotJSON(
        f"is {_short(value)} of type {_type_name(value)}", django=f"Unsupported type: {type(value)}"
    )


def json_size(value: Any) -> int:
    """The exact size in bytes of ``value`` as compact JSON text in UTF-8."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return len(text) if text.isascii() else len(text.encode())


def _refuse(problem: _NotJSON, head: str, where: str, setting: str) -> str:
    django = f"{problem.django}. " if problem.django else ""
    fix = problem.fix.format(setting=setting)
    return f"{django}{head}: {where}{''.join(problem.path)} {problem.what}. {fix}"


def json_arguments(
    task_path: str,
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    limits: PayloadLimits = DEFAULT_ARGUMENT_LIMITS,
) -> tuple[list[Any], dict[str, Any]]:
    """The stored form of the arguments; InvalidTaskArguments naming the argument, what is wrong and the fix.

    Django's own wording comes first where Django has one (``Unsupported type: <class 'set'>``).
    """
    walk = _Walk(limits.max_depth)
    plain_args: list[Any] = []
    plain_kwargs: dict[str, Any] = {}
    head = f"Cannot enqueue {task_path}"
    where: Any = "args"
    try:
        for where, value in enumerate(args):  # noqa: B007 (read by the except clause)
            plain_args.append(_plain(value, 0, walk))
        for where, value in kwargs.items():
            if type(where) is not str or "\x00" in where or not where.isascii():
                try:
                    _check_key(where)
                except _NotJSON as problem:  # the keyword itself
                    raise InvalidTaskArguments(_refuse(problem, head, "kwargs", limits.setting)) from None
            walk.size += 6 * len(where) + 3
            plain_kwargs[where] = _plain(value, 0, walk)
    except _NotJSON as problem:
        name = f"args[{where}]" if isinstance(where, int) else f"kwargs[{_short(where)}]"
        raise InvalidTaskArguments(_refuse(problem, head, name, limits.setting)) from None
    if walk.size + 4 + len(plain_args) + 2 * len(plain_kwargs) > limits.max_bytes:
        _check_size(task_path, plain_args, plain_kwargs, limits)
    return plain_args, plain_kwargs


def _check_size(task_path: str, args: list[Any], kwargs: dict[str, Any], limits: PayloadLimits) -> None:
    """Exact sizes, once the cheap upper bound said the arguments may be over the limit."""
    sizes = {f"args[{index}]": json_size(value) for index, value in enumerate(args)}
    sizes.update({f"kwargs[{_short(key)}]": json_size(value) for key, value in kwargs.items()})
    # '[' ']' and commas of the args list; '{' '}', the keys, colons and commas of the kwargs dict.
    total = sum(sizes.values()) + 2 + max(len(args) - 1, 0) + 2 + max(len(kwargs) - 1, 0)
    total += sum(json_size(key) + 1 for key in kwargs)
    if total <= limits.max_bytes:
        return
    biggest = max(sizes, key=sizes.__getitem__)
    option = f"{limits.setting}['MAX_ARGUMENTS_BYTES']"
    raise InvalidTaskArguments(
        f"Cannot enqueue {task_path}: the arguments are {total:,} bytes of JSON, over the limit of "
        f"{limits.max_bytes:,} bytes ({option}); {biggest} is {sizes[biggest]:,} bytes. Pass a reference "
        f"instead of the data (e.g. a storage key, or a model's pk, and load the data in the task), or "
        f"raise {option}."
    )


def _normal_key(key: Any) -> str | int | float | bool | None:
    """A dict key as Django's normalize_json and json.dumps accept it (json writes non-str keys as str)."""
    if isinstance(key, bytes):
        try:
            key = key.decode()
        except UnicodeDecodeError:
            raise _NotJSON(
                f"has the key {_short(key)}, bytes that are not UTF-8",
                django=f"Unsupported value: {type(key)}",
            ) from None
    if isinstance(key, float) and not math.isfinite(key):
        raise _NotJSON(f"has the key {key!r}, which JSON cannot represent")
    if key is not None and not isinstance(key, str | int | float):
        raise _NotJSON(f"has the key {_short(key)} of type {_type_name(key)}; JSON keys are strings")
    if isinstance(key, str):
        _check_key(key)
    return key


def _normal(value: Any, depth: int, walk: _Walk) -> Any:
    """Django's normalize_json (mappings as dicts, UTF-8 bytes as str, sequences as lists), with the
    checks of ``_plain``, and without recursing past the depth limit."""
    if isinstance(value, str):
        if "\x00" in value or not value.isascii():
            problem = _string_problem(value)
            if problem:
                raise _NotJSON(f"is a string that {problem}", STRING_FIX)
        return value
    if isinstance(value, int) or value is None:
        if isinstance(value, int) and value.bit_length() > _INT_BITS_CHECKED:
            _int_bound(value)
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _NotJSON(f"is {value!r}, which JSON cannot represent")
    if isinstance(value, Mapping):
        if depth >= walk.max_depth:
            raise _too_deep(walk)
        out = {}
        for key, item in value.items():
            name = _normal_key(key)
            try:
                out[name] = _normal(item, depth + 1, walk)
            except _NotJSON as problem:
                problem.path.insert(0, f"[{_short(key)}]")
                raise
        return out
    if isinstance(value, bytes):
        try:
            return _normal(value.decode(), depth, walk)
        except UnicodeDecodeError:
            raise _NotJSON(
                f"is {_short(value)}, bytes that are not UTF-8",
                BYTES_FIX,
                django=f"Unsupported value: {type(value)}",
            ) from None
    if isinstance(value, Sequence):
        if depth >= walk.max_depth:
            raise _too_deep(walk)
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_normal(item, depth + 1, walk))
            except _NotJSON as problem:
                problem.path.insert(0, f"[{index}]")
                raise
        return items
    raise _NotJSON(
        f"is {_short(value)} of type {_type_name(value)}", django=f"Unsupported type: {type(value)}"
    )


def json_result(task_path: str, value: Any, limits: PayloadLimits = DEFAULT_RESULT_LIMITS) -> Any:
    """The stored form of a task's return value (as read back from JSON); InvalidTaskResult saying that it
    is the return value, what is wrong with it and where."""
    head = f"The return value of {task_path} cannot be stored"
    try:
        normal = _normal(value, 0, _Walk(limits.max_depth))
    except _NotJSON as problem:
        if problem.fix == TYPE_FIX:
            problem.fix = RESULT_TYPE_FIX
        if problem.django:  # Django's wording, then ours
            head, problem.django = f"{head} ({problem.django})", ""
        raise InvalidTaskResult(_refuse(problem, head, "return_value", limits.setting)) from None
    text = json.dumps(normal, ensure_ascii=False, separators=(",", ":"))
    size = len(text) if text.isascii() else len(text.encode())
    if size > limits.max_bytes:
        option = f"{limits.setting}['MAX_RESULT_BYTES']"
        raise InvalidTaskResult(
            f"{head}: it is {size:,} bytes of JSON, over the limit of {limits.max_bytes:,} bytes ({option}). "
            f"Store large results elsewhere (e.g. object storage) and return a reference to them (a storage "
            f"key), or raise {option}."
        )
    return json.loads(text)
