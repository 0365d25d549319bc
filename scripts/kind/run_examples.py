"""Enqueue the examples on a real cluster and wait for their outcomes (run inside the app image).

up.sh pipes this file into the operator's container: `kubectl exec -i deploy/k8s-tasks -- python - `,
where DJANGO_SETTINGS_MODULE and the database Secret are already set. It enqueues one task per example
queue, prints a table whenever a status changes, and exits 0 once each ended as expected (1 otherwise,
2 on timeout). 06's `flaky` needs a marker file shared between attempts, which separate pods on a real
cluster do not have; the local demo (`make demo`) runs it.
"""

from __future__ import annotations

import base64
import sys
import time
from dataclasses import dataclass
from typing import Any

DEADLINE_SECONDS = 600.0
FINAL = {"SUCCESSFUL", "FAILED"}


@dataclass(frozen=True)
class Expectation:
    label: str
    status: str
    error_class: str | None = None


def enqueue_examples() -> list[tuple[Expectation, Any]]:
    import gpu_inference
    import hello
    import retries_timeouts_cancel
    import transcode
    import upload_scan

    sample = base64.b64encode(b"%PDF-1.7 quarterly report").decode()
    return [
        (Expectation("01-hello greet (default)", "SUCCESSFUL"), hello.greet.enqueue("kind")),
        (Expectation("03-gpu-inference (gpu)", "SUCCESSFUL"), gpu_inference.classify_digits.enqueue()),
        (Expectation("04-transcode (highmem)", "SUCCESSFUL"), transcode.transcode.enqueue(seconds=2.0)),
        (
            Expectation("05-isolated-upload-scan (sandbox)", "SUCCESSFUL"),
            upload_scan.scan_upload.enqueue("report.pdf", sample),
        ),
        (
            Expectation("06 slow on deadline", "FAILED", "k8s_tasks.exceptions.PodDeadlineExceeded"),
            retries_timeouts_cancel.slow.using(queue_name="deadline").enqueue(30),
        ),
    ]


def outcome(result: Any) -> tuple[str, str]:
    """(status, last error class path or '') of a TaskResult."""
    errors = getattr(result, "errors", None) or []
    return str(result.status.value if hasattr(result.status, "value") else result.status), (
        errors[-1].exception_class_path if errors else ""
    )


def verdict(expect: Expectation, status: str, error_class: str) -> str | None:
    """None if the final outcome is the expected one, else what differed."""
    if status != expect.status:
        return f"{expect.label}: ended {status} ({error_class or 'no error'}), expected {expect.status}"
    if expect.error_class and error_class != expect.error_class:
        return f"{expect.label}: failed with {error_class}, expected {expect.error_class}"
    return None


def main() -> int:
    import django

    django.setup()
    tasks = enqueue_examples()
    shown: list[str] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        rows = []
        for expect, result in tasks:
            result.refresh()
            rows.append((expect, *outcome(result)))
        table = [f"{e.label:40} {s:11} {c}" for e, s, c in rows]
        if table != shown:
            print("\n".join(["", f"{'EXAMPLE':40} {'STATUS':11} ERROR", *table]), flush=True)
            shown = table
        if all(s in FINAL for _, s, _ in rows):
            problems = [p for p in (verdict(e, s, c) for e, s, c in rows) if p]
            print("\n".join(problems) if problems else "\nevery example ended as expected")
            return 1 if problems else 0
        if time.monotonic() > deadline:
            print(f"timed out after {DEADLINE_SECONDS:.0f}s", file=sys.stderr)
            return 2
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
