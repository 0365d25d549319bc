"""Retry timing and budgets: exponential backoff with jitter, and whether a failed attempt gets another.

Pure functions. Attempts are 1-based and count Jobs: every retry, of either kind, is a new attempt with
its own Job. Infrastructure retries (eviction, preemption, node loss) are bounded by
``retries.infrastructure_attempts`` and do not spend the task's own ``retries.attempts``.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from k8s_tasks.profiles import RetryPolicy

RetryKind = Literal["task", "infrastructure"]


def retry_delay(attempt: int, retries: RetryPolicy, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based) before the next one.

    ``backoffSeconds * backoffFactor ** (attempt - 1)``, capped at ``maxBackoffSeconds``, then reduced by
    up to ``jitter`` of itself at random (jitter 0: exact; 1: "full jitter", anywhere in [0, delay]). The
    result is never negative and never above the cap.
    """
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    draw = rand()
    if not 0.0 <= draw <= 1.0:
        raise ValueError(f"rand() must return a number in [0, 1], got {draw}")
    try:
        raw = retries.backoff_seconds * retries.backoff_factor ** (attempt - 1)
    except OverflowError:
        raw = math.inf
    capped = min(raw, retries.max_backoff_seconds)
    return max(0.0, capped * (1.0 - retries.jitter * draw))


@dataclass(frozen=True)
class RetryPlan:
    kind: RetryKind
    delay_seconds: float


def plan_retry(
    kind: RetryKind | None,
    retries: RetryPolicy,
    *,
    attempt: int,
    infrastructure_retries_used: int,
    rand: Callable[[], float] = random.random,
) -> RetryPlan | None:
    """Whether failed attempt ``attempt`` is retried, and after how long; None means the task fails.

    ``kind`` is Outcome.retry. ``infrastructure_retries_used`` counts earlier infrastructure retries of
    this task, so the task's own attempts used so far are ``attempt - infrastructure_retries_used``.
    """
    if kind == "infrastructure":
        if infrastructure_retries_used >= retries.infrastructure_attempts:
            return None
        return RetryPlan(kind, retry_delay(infrastructure_retries_used + 1, retries, rand))
    if kind == "task":
        used = attempt - infrastructure_retries_used
        if used >= retries.attempts:
            return None
        return RetryPlan(kind, retry_delay(max(used, 1), retries, rand))
    return None
