"""The sealed-pod protocol: what the operator hands a sealed pod, and how the pod hands back its outcome.

A task on an isolated queue runs sealed: its pod has no database credentials and no network. The operator
puts the one task (path, arguments, attempt, what its context needs) in a Secret owned by the pod's Job,
mounted at SEALED_DIR; the runner reads it (``TaskPayload``), runs the task, and reports the outcome
(``Outcome``) in the pod's termination message, or, when it does not fit Kubernetes' 4,096 bytes, as the
last line of its log with the termination message pointing to it (and to its SHA-256). The operator reads
it, checks it is about the Job's own task and attempt, and writes the row. Pure: no Django, no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SEALED_DIR = "/var/run/k8s-tasks/task"
PAYLOAD_KEY = "task.json"
MAX_TERMINATION_MESSAGE = 4096
LOG_MARKER = "K8S-TASKS-OUTCOME "
VERSION = 1


class ProtocolError(ValueError):
    """A payload or outcome that is not what the protocol says: the message says what is wrong."""


@dataclass(frozen=True)
class TaskPayload:
    """One attempt of one task, as a sealed pod receives it."""

    id: str
    attempt: int
    task_path: str
    queue_name: str
    backend: str
    priority: int
    args: list[Any]
    kwargs: dict[str, Any]
    enqueued_at: str
    run_after: str | None = None
    worker_ids: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps({"k8s-tasks-task": VERSION, **asdict(self)}, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> TaskPayload:
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"the task payload is not JSON: {exc}") from None
        if not isinstance(raw, dict) or raw.pop("k8s-tasks-task", None) != VERSION:
            raise ProtocolError(f"the task payload is not a k8s-tasks task of version {VERSION}")
        try:
            return cls(**raw)
        except TypeError as exc:
            raise ProtocolError(f"the task payload's fields are wrong: {exc}") from None


Status = Literal["SUCCESSFUL", "FAILED"]


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended, as the sealed pod reports it."""

    id: str
    attempt: int
    status: Status
    return_value: Any = None
    exception_class_path: str = ""
    traceback: str = ""
    reason: str = ""
    retryable: bool = True
    """For a failure: the task's own exception (retried if its policy allows); False when retrying cannot
    help (the return value cannot be stored, the arguments cannot be loaded)."""

    def to_dict(self) -> dict[str, Any]:
        return {"k8s-tasks-outcome": VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, raw: object) -> Outcome:
        if not isinstance(raw, dict) or raw.get("k8s-tasks-outcome") != VERSION:
            raise ProtocolError(f"not a k8s-tasks outcome of version {VERSION}")
        fields = {k: v for k, v in raw.items() if k != "k8s-tasks-outcome"}
        try:
            outcome = cls(**fields)
        except TypeError as exc:
            raise ProtocolError(f"the outcome's fields are wrong: {exc}") from None
        if outcome.status not in ("SUCCESSFUL", "FAILED") or not isinstance(outcome.attempt, int):
            raise ProtocolError(f"the outcome's status {outcome.status!r} is neither SUCCESSFUL nor FAILED")
        return outcome


def encode(outcome: Outcome) -> tuple[str, str | None]:
    """(termination message, log line or None). The outcome is in the message when it fits; else the
    message points to the log's last line and carries its SHA-256."""
    text = json.dumps(outcome.to_dict(), separators=(",", ":"))
    if len(text.encode()) <= MAX_TERMINATION_MESSAGE:
        return text, None
    line = LOG_MARKER + base64.b64encode(text.encode()).decode()
    pointer = {
        "k8s-tasks-outcome": VERSION,
        "id": outcome.id,
        "attempt": outcome.attempt,
        "in_log": True,
        "sha256": hashlib.sha256(line.encode()).hexdigest(),
    }
    return json.dumps(pointer, separators=(",", ":")), line


def points_to_log(message: str) -> bool:
    """Does this termination message say the outcome is the last line of the log?"""
    try:
        raw = json.loads(message)
    except ValueError:
        return False
    return isinstance(raw, dict) and raw.get("in_log") is True


def decode(message: str, log_tail: str = "") -> Outcome:
    """The outcome from a sealed pod's termination message (and, if it points there, its log's tail)."""
    try:
        raw = json.loads(message)
    except ValueError:
        raise ProtocolError("the termination message is not a k8s-tasks outcome (not JSON)") from None
    if isinstance(raw, dict) and raw.get("in_log") is True:
        lines = [line for line in log_tail.splitlines() if line.startswith(LOG_MARKER)]
        if not lines:
            raise ProtocolError("the outcome should be the log's last line, and the log has none")
        if hashlib.sha256(lines[-1].encode()).hexdigest() != raw.get("sha256"):
            raise ProtocolError("the outcome in the log does not match the termination message's SHA-256")
        try:
            raw = json.loads(base64.b64decode(lines[-1][len(LOG_MARKER) :], validate=True))
        except ValueError:
            raise ProtocolError("the outcome in the log is not base64 JSON") from None
    return Outcome.from_dict(raw)


def check_own(outcome: Outcome, task_id: str, attempt: int) -> None:
    """A pod reports on its own attempt only: anything else is refused."""
    if (outcome.id, outcome.attempt) != (task_id, attempt):
        raise ProtocolError(
            f"the pod of task {task_id} attempt {attempt} reported on task {outcome.id} attempt "
            f"{outcome.attempt}: refused (a pod reports on its own attempt only)"
        )
