"""Protobuf request bodies (``application/vnd.kubernetes.protobuf``), as kubectl, helm and client-go send
them.

The body is the four bytes ``k8s\\x00`` and a ``runtime.Unknown`` message: ``typeMeta`` (apiVersion, kind),
``raw`` (the object's own message), ``contentEncoding`` and ``contentType``. ``decode_body`` returns the
object as the JSON the same Go struct marshals to, so the rest of the server handles it like a JSON body.
"""

from typing import Any

from . import wire
from .decode import DecodeError, UnknownField, message_to_json
from .tables import messages

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
GROUP_TABLES = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "rbac.authorization.k8s.io": "rbac",
    "networking.k8s.io": "networking",
    "coordination.k8s.io": "coordination",
    "events.k8s.io": "events",
    "policy": "policy",
    "autoscaling": "autoscaling",
    "scheduling.k8s.io": "scheduling",
    "node.k8s.io": "node",
    "meta.k8s.io": "meta",
    "authentication.k8s.io": "authentication",
    "authorization.k8s.io": "authorization",
}

__all__ = ["MAGIC", "MEDIA_TYPE", "DecodeError", "UnknownField", "UnsupportedKind", "decode_body"]


class UnsupportedKind(DecodeError):
    """A kind (or version) the local cluster has no protobuf tables for."""


def _message_name(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    table = GROUP_TABLES.get(group)
    if table is None or version != "v1":
        raise UnsupportedKind(
            f"this local cluster decodes protobuf bodies of built-in v1 kinds only, not {kind} in "
            f"{api_version or 'no apiVersion'}: send the object as JSON"
        )
    known = messages()
    for name in (f"{table}.{kind}", f"meta.{kind}"):  # DeleteOptions comes with the client's group version
        if name in known:
            return name
    raise UnsupportedKind(
        f'this local cluster has no protobuf table for kind "{kind}" in {api_version}: '
        "send the object as JSON"
    )


def _envelope(raw: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw object bytes) of a runtime.Unknown envelope."""
    parts: dict[int, bytes] = {}
    try:
        for number, wire_type, value in wire.fields(raw):
            if wire_type == wire.LENGTH and isinstance(value, bytes):
                parts[number] = value
        type_meta = {n: v for n, t, v in wire.fields(parts.get(1, b"")) if isinstance(v, bytes)}
        api_version, kind = type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode()
    except (wire.WireError, UnicodeDecodeError) as exc:
        raise DecodeError(f"the protobuf envelope (runtime.Unknown) does not decode: {exc}") from None
    encoding = parts.get(3, b"").decode(errors="replace")
    content_type = parts.get(4, b"").decode(errors="replace")
    if encoding or content_type not in ("", MEDIA_TYPE):
        raise UnsupportedKind(
            f"a protobuf envelope holding {content_type!r} (encoding {encoding!r}) is not supported: "
            "send the object as JSON"
        )
    return api_version, kind, parts.get(2, b"")


def decode_body(raw: bytes) -> dict[str, Any]:
    """The object in a protobuf request body, as a JSON-like dict with kind and apiVersion first."""
    if not raw.startswith(MAGIC):
        raise DecodeError(
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"
        )
    api_version, kind, body = _envelope(raw[len(MAGIC) :])
    obj: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    obj.update(message_to_json(messages()[_message_name(api_version, kind)], body))
    return obj
