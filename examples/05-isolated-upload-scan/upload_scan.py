"""05-isolated-upload-scan: untrusted files are inspected sealed: no database, no network.

The ``sandbox`` queue sets ``network: isolated``, so its tasks run sealed: the operator hands each pod its
one task in a Secret only that pod mounts, the operator's NetworkPolicy denies the pod all ingress and
egress, and the pod holds no database credentials; it reports its result in its termination message and
the operator writes the row. A malicious upload that exploits the parser finds nothing to steal and no way
out. The scan itself is deliberately simple: the EICAR anti-virus test signature, executable headers, and
the size. ``what_the_pod_sees()`` reports, in the result, what such an exploit would find.
"""

import base64
import binascii
import hashlib
import os
import re
import socket
from pathlib import Path
from typing import Any

from django.tasks import task

# The standard, harmless anti-virus test file (https://www.eicar.org), split so this source is not flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EXECUTABLE_MAGIC = {b"MZ": "Windows executable", b"\x7fELF": "ELF executable", b"#!": "script"}
MAX_BYTES = 10 * 1024 * 1024


def verdict(data: bytes) -> tuple[str, list[str]]:
    """("clean" | "rejected" | "infected", findings) for one upload."""
    findings = []
    if EICAR in data:
        findings.append("EICAR test signature")
    for magic, kind in EXECUTABLE_MAGIC.items():
        if data.startswith(magic):
            findings.append(f"{kind} header")
    if len(data) > MAX_BYTES:
        findings.append(f"larger than {MAX_BYTES} bytes")
    if any("EICAR" in f for f in findings):
        return "infected", findings
    return ("rejected" if findings else "clean"), findings


@task(queue_name="sandbox")
def scan_upload(filename: str, content_base64: str) -> dict[str, Any]:
    """Scan one uploaded file (its bytes as base64, since task arguments are JSON)."""
    try:
        data = base64.b64decode(content_base64, validate=True)
    except binascii.Error as exc:
        raise ValueError(
            f"content_base64 of {filename!r} is not base64 ({exc}); pass base64.b64encode(data)"
        ) from None
    result, findings = verdict(data)
    return {
        "filename": filename,
        "verdict": result,
        "findings": findings,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "pod": os.environ.get("POD_NAME", ""),
        "seen": what_the_pod_sees(),
    }


CREDENTIAL_NAMES = re.compile(r"PASSWORD|SECRET|TOKEN|DATABASE|^PG|^DB_|_DSN$", re.IGNORECASE)


def what_the_pod_sees() -> dict[str, Any]:
    """What code running in this pod can find: credentials in its env, the files it was handed, the
    database through Django, the database server through the network."""
    from django.db import connection

    seen: dict[str, Any] = {
        "credential_env": sorted(name for name in os.environ if CREDENTIAL_NAMES.search(name)),
        "task_files": sorted(
            p.name for p in Path(os.environ.get("K8S_TASKS_SEALED_PATH", "/")).parent.glob("*")
        )
        if os.environ.get("K8S_TASKS_SEALED_PATH")
        else [],
    }
    try:
        connection.ensure_connection()
        seen["database"] = "connected"
    except Exception as exc:
        seen["database"] = f"{type(exc).__name__}: {exc}"
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        seen["network"] = "connected to 127.0.0.1:5432"
    except OSError as exc:
        seen["network"] = f"{type(exc).__name__}: {exc.strerror or exc}"
    return seen
