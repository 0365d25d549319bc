"""A protobuf message of the Kubernetes API as the JSON object Go's encoding/json writes for the same struct.

kube-apiserver decodes a protobuf body into the Go struct and stores what the struct holds; the same object
sent as JSON becomes the same struct. This module goes from the wire straight to that struct's JSON form:
fields in declaration order, ``omitempty`` zero values left out, pointers written when set (even to zero),
``Time`` as RFC 3339 seconds or null, ``Quantity`` and ``IntOrString`` in their JSON forms.
"""

import base64
import json
from datetime import UTC, datetime
from typing import Any

from . import wire
from .tables import Field, Message, messages


class DecodeError(ValueError):
    """The body does not decode as the message it says it is."""


class UnknownField(DecodeError):
    """A field number the tables do not list: a field this local cluster does not decode."""


Occurrences = dict[int, list[tuple[int, wire.Value]]]
_ZERO: dict[str, Any] = {"s": "", "i": 0, "b": False, "f": 0}


def _collect(message: Message, buf: bytes, path: str) -> Occurrences:
    found: Occurrences = {}
    try:
        for number, wire_type, value in wire.fields(buf):
            if number not in message.by_number:
                raise UnknownField(
                    f"{path or message.name}: field number {number} of {message.name} is not one this local "
                    "cluster decodes from protobuf; send the object as JSON"
                )
            found.setdefault(number, []).append((wire_type, value))
    except wire.WireError as exc:
        raise DecodeError(f"{path or message.name}: {exc}") from None
    return found


def _bytes(wire_type: int, value: wire.Value, path: str) -> bytes:
    if wire_type != wire.LENGTH or not isinstance(value, bytes):
        raise DecodeError(f"{path}: expected a length-delimited value, got wire type {wire_type}")
    return value


def _scalar(kind: str, wire_type: int, value: wire.Value, path: str) -> Any:
    if kind == "s":
        try:
            return _bytes(wire_type, value, path).decode()
        except UnicodeDecodeError:
            raise DecodeError(f"{path}: a string that is not UTF-8") from None
    if kind == "y":
        return base64.b64encode(_bytes(wire_type, value, path)).decode()
    if kind == "f":
        if wire_type != wire.FIXED64 or not isinstance(value, int):
            raise DecodeError(f"{path}: expected a double, got wire type {wire_type}")
        number = wire.as_double(value)
        return int(number) if number.is_integer() else number
    if wire_type != wire.VARINT or not isinstance(value, int):
        raise DecodeError(f"{path}: expected a varint, got wire type {wire_type}")
    return bool(value) if kind == "b" else wire.signed(value)


def _time(buf: bytes, path: str, micro: bool) -> str | None:
    if not buf:  # metav1.Time marshals its zero value as no bytes; JSON writes it as null
        return None
    parts = _first(buf, path)
    seconds = wire.signed(int(parts.get(1, 0)))
    try:
        when = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise DecodeError(f"{path}: timestamp {seconds} is out of range") from None
    if not micro:  # metav1.Time keeps whole seconds, as its protobuf Unmarshal does
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    nanos = wire.signed(int(parts.get(2, 0)))
    return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"


def _first(buf: bytes, path: str) -> dict[int, wire.Value]:
    """The fields of a small fixed message (the last occurrence of each), for the special types."""
    try:
        return {number: value for number, _, value in wire.fields(buf)}
    except wire.WireError as exc:
        raise DecodeError(f"{path}: {exc}") from None


def _special(kind: str, buf: bytes, path: str) -> Any:
    if kind in ("Time", "MicroTime"):
        return _time(buf, path, kind == "MicroTime")
    parts = _first(buf, path)
    if kind == "Quantity":
        text = parts.get(1, b"")
        return text.decode() if isinstance(text, bytes) and text else "0"
    if kind == "IntOrString":
        if parts.get(1, 0) == 1:
            text = parts.get(3, b"")
            return text.decode() if isinstance(text, bytes) else ""
        return wire.signed(int(parts.get(2, 0)))
    raw = parts.get(1, b"")  # FieldsV1: the raw JSON of the field set
    try:
        return json.loads(raw) if isinstance(raw, bytes) and raw else None
    except ValueError:
        raise DecodeError(f"{path}: FieldsV1 does not hold JSON") from None


def _value(kind: str, buf: bytes, path: str) -> Any:
    """One message-typed value (a special type or a message from the tables)."""
    if kind in ("Time", "MicroTime", "Quantity", "IntOrString", "FieldsV1"):
        return _special(kind, buf, path)
    return message_to_json(messages()[kind], buf, path)


def _map(field: Field, entries: list[tuple[int, wire.Value]], path: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for wire_type, entry in entries:
        parts = _collect_entry(_bytes(wire_type, entry, path), path)
        key_raw = parts.get(1, (wire.LENGTH, b""))
        key = _scalar("s", key_raw[0], key_raw[1], path)
        value_raw = parts.get(2)
        item = f"{path}[{key}]"
        if field.scalar:
            result[key] = _scalar(field.type, *value_raw, item) if value_raw else _map_zero(field.type)
        else:
            data = _bytes(*value_raw, item) if value_raw else b""
            result[key] = _value(field.type, data, item)
    return result


def _map_zero(kind: str) -> Any:
    return "" if kind == "y" else _ZERO[kind]


def _collect_entry(buf: bytes, path: str) -> dict[int, tuple[int, wire.Value]]:
    try:
        return {number: (wire_type, value) for number, wire_type, value in wire.fields(buf)}
    except wire.WireError as exc:
        raise DecodeError(f"{path}: {exc}") from None


def _repeated(field: Field, got: list[tuple[int, wire.Value]], path: str) -> list[Any]:
    items: list[Any] = []
    for wire_type, value in got:
        item = f"{path}[{len(items)}]"
        if field.scalar and field.type in ("i", "b") and wire_type == wire.LENGTH:
            for number in wire.packed_varints(_bytes(wire_type, value, item)):
                items.append(bool(number) if field.type == "b" else wire.signed(number))
        elif field.scalar:
            items.append(_scalar(field.type, wire_type, value, item))
        else:
            items.append(_value(field.type, _bytes(wire_type, value, item), item))
    return items


def _field(field: Field, got: list[tuple[int, wire.Value]] | None, path: str) -> tuple[bool, Any]:
    """Whether Go's JSON writes the field, and its value."""
    if field.repeated or field.map:
        value: Any = (_map(field, got, path) if field.map else _repeated(field, got, path)) if got else None
        return (True, value) if value else (field.always, None)
    if field.scalar:
        if not got:
            return (field.always, None) if field.pointer else (field.always, _map_zero(field.type))
        return True, _scalar(field.type, *got[-1], path)
    if not got and field.pointer:
        return field.always, None
    data = b"".join(_bytes(wire_type, value, path) for wire_type, value in got or ())
    value = _value(field.type, data, path)
    if field.omitzero and value in (None, {}):
        return False, None
    return True, value


def _scalar_written(field: Field, value: Any) -> bool:
    return field.pointer or field.always or value != _map_zero(field.type)


def message_to_json(message: Message, buf: bytes, path: str = "") -> dict[str, Any]:
    """The JSON object of one message, keys in the Go struct's field order."""
    found = _collect(message, buf, path)
    result: dict[str, Any] = {}
    for field in message.fields:
        got = found.get(field.number)
        if field.inline:
            data = b"".join(_bytes(t, v, path) for t, v in got or ())
            result.update(message_to_json(messages()[field.type], data, path))
            continue
        child = f"{path}.{field.json}" if path else field.json
        write, value = _field(field, got, child)
        if write and (not field.scalar or field.repeated or field.map or _scalar_written(field, value)):
            result[field.json] = value
    return result
