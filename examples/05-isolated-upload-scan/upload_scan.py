"""05-isolated-upload-scan: untrusted files are inspected on a queue with no network.

The ``sandbox`` queue sets ``network: isolated``: its pods carry the isolation label that the chart's
NetworkPolicy selects (egress denied except DNS and the database), so a malicious upload that exploits
the parser cannot phone home or reach internal services. The scan itself is deliberately simple: the
EICAR anti-virus test signature, executable headers, and the size.
"""

import base64
import binascii
import hashlib
import os
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
    }
