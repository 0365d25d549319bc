"""Task functions of the fault tests. Each appends to a ledger file what it did, per attempt, so a test
can check that every side effect happened once per attempt that the outcome reports."""

from __future__ import annotations

import os
import time

from k8s_tasks.compat import TaskContext, task


def note(ledger: str, context: TaskContext, what: str) -> None:
    attempt = os.environ.get("K8S_TASKS_ATTEMPT", "?")  # the row's attempt, as the Job says it
    with open(ledger, "a") as out:
        out.write(f"{context.task_result.id} {attempt} {what}\n")


@task(takes_context=True)
def step(
    context: TaskContext,
    ledger: str,
    seconds: float = 0.2,
    exit_attempts: int = 0,
    fail_attempts: int = 0,
    mebibytes: int = 0,
    gate: str = "",
) -> str:
    """Start (ledger), work `seconds`, then: exit without a result while the attempt is <= exit_attempts,
    raise while it is <= fail_attempts, hold `mebibytes` of memory (OOM under a small limit), or finish
    (ledger). With `gate`, the work lasts until that file exists (at most 120 s). The attempt is the row's
    (K8S_TASKS_ATTEMPT)."""
    attempt = int(os.environ.get("K8S_TASKS_ATTEMPT", "1"))
    note(ledger, context, "start")
    deadline = time.monotonic() + (120.0 if gate else seconds)
    while time.monotonic() < deadline and not (gate and os.path.exists(gate)):
        time.sleep(0.02)
    if attempt <= exit_attempts:
        os._exit(3)
    if attempt <= fail_attempts:
        raise RuntimeError(f"attempt {attempt} fails on purpose")
    if mebibytes:
        block = bytearray(mebibytes * 1024 * 1024)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(1)
    note(ledger, context, "done")
    return "ok"


@task()
def returns(value: str) -> str:
    return value


@task()
def deep(value: object) -> str:
    return "loaded"


@task()
def returns_nul() -> str:
    """A return value PostgreSQL's jsonb refuses (and enqueue would refuse as an argument)."""
    return "before\x00after"


@task()
def sleeps(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task()
def hold_big(payload: str, gate: str) -> int:
    """Holds its (large) argument until `gate` exists (at most 120 s), then returns its length."""
    deadline = time.monotonic() + 120
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(payload)
