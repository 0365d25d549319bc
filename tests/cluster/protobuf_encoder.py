"""A tiny protobuf encoder for the tests: builds bodies field by field, as gogo-protobuf writes them."""

from __future__ import annotations

import struct

MAGIC = b"k8s\x00"


def varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def tag(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def num(number: int, value: int) -> bytes:
    return tag(number, 0) + varint(value)


def raw(number: int, data: bytes) -> bytes:
    return tag(number, 2) + varint(len(data)) + data


def text(number: int, value: str) -> bytes:
    return raw(number, value.encode())


def double(number: int, value: float) -> bytes:
    return tag(number, 1) + struct.pack("<d", value)


def entry(number: int, key: str, value: bytes) -> bytes:
    """One map entry: the key is field 1, ``value`` the already encoded field 2."""
    return raw(number, text(1, key) + value)


def envelope(api_version: str, kind: str, body: bytes) -> bytes:
    """The k8s\\x00 magic and a runtime.Unknown around an object's message."""
    type_meta = text(1, api_version) + text(2, kind)
    return MAGIC + raw(1, type_meta) + raw(2, body) + text(3, "") + text(4, "")
