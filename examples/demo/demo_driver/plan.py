"""What the demo expects of each task it enqueues: plain data, checked by verify.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ValueCheck = Callable[[Any], str | None]
"""Returns what is wrong with a return value, or None when it is as expected."""


@dataclass(frozen=True)
class Expect:
    status: str
    """SUCCESSFUL or FAILED."""
    error: str | None = None
    """The exception class path of the last error (for FAILED), e.g. k8s_tasks.exceptions.TaskCancelled."""
    pool: str | None = None
    """The `pool` label of the node the last attempt ran on."""
    isolated: bool = False
    """The pod carries the network-isolation label that the operator's deny-all NetworkPolicy selects."""
    attempts: int | None = None
    """How many attempts (Jobs) the task took."""
    value: ValueCheck | None = None


@dataclass(frozen=True)
class Planned:
    example: str
    label: str
    result_id: str
    queue: str
    expect: Expect
    cancel_when_running: bool = False
    """The demo cancels this task (k8s_tasks.cancel) as soon as it is RUNNING."""
    waiting: str = "row not found"
    """What the live table says while the task has no row (a scheduled run before its tick)."""


@dataclass
class Outcome:
    """A task's row as the demo last read it, plus where its pod ran."""

    status: str
    attempt: int
    reason: str
    errors: list[dict[str, str]] = field(default_factory=list)
    return_value: Any = None
    job_name: str = ""
    node: str | None = None
    node_pool: str | None = None
    pod_labels: dict[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in ("SUCCESSFUL", "FAILED")

    @property
    def last_error(self) -> str | None:
        return self.errors[-1]["exception_class_path"] if self.errors else None


def equals(expected: Any, key: str | None = None) -> ValueCheck:
    def check(value: Any) -> str | None:
        actual = value.get(key) if key is not None and isinstance(value, dict) else value
        if actual != expected:
            where = f"return value[{key!r}]" if key else "return value"
            return f"{where} is {actual!r}, expected {expected!r}"
        return None

    return check


def contains(fragment: str, key: str | None = None) -> ValueCheck:
    def check(value: Any) -> str | None:
        actual = value.get(key) if key is not None and isinstance(value, dict) else value
        if fragment not in str(actual):
            where = f"return value[{key!r}]" if key else "return value"
            return f"{where} is {actual!r}, expected it to contain {fragment!r}"
        return None

    return check
