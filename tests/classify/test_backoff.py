"""retry_delay (exponential, capped, jittered) and plan_retry (the two separate retry budgets)."""

import pytest

from k8s_tasks.profiles import RetryPolicy
from k8s_tasks_operator.backoff import RetryPlan, plan_retry, retry_delay

POLICY = RetryPolicy(attempts=4, backoff_seconds=10, backoff_factor=2, max_backoff_seconds=60, jitter=0.5)


def test_exponential_without_jitter_draw() -> None:
    assert [retry_delay(n, POLICY, rand=lambda: 0.0) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_jitter_takes_off_up_to_its_fraction() -> None:
    assert retry_delay(1, POLICY, rand=lambda: 1.0) == 5.0
    assert retry_delay(2, POLICY, rand=lambda: 0.5) == 15.0


def test_jitter_stays_within_bounds_over_many_draws() -> None:
    delays = [retry_delay(3, POLICY) for _ in range(500)]
    assert all(20.0 <= d <= 40.0 for d in delays)
    assert len(set(delays)) > 100  # actually random


def test_full_jitter_and_no_jitter() -> None:
    full = RetryPolicy(jitter=1)
    assert retry_delay(1, full, rand=lambda: 1.0) == 0.0
    exact = RetryPolicy(jitter=0, backoff_seconds=3)
    assert retry_delay(1, exact, rand=lambda: 0.9) == 3.0


def test_huge_attempt_numbers_are_capped_not_overflowing() -> None:
    assert retry_delay(100_000, POLICY, rand=lambda: 0.0) == 60


def test_defaults() -> None:
    assert retry_delay(1, RetryPolicy(), rand=lambda: 0.0) == 10.0
    assert retry_delay(50, RetryPolicy(), rand=lambda: 0.0) == 600.0


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempt_is_one_based(attempt: int) -> None:
    with pytest.raises(ValueError, match="attempt"):
        retry_delay(attempt, POLICY)


def test_bad_random_source_is_refused() -> None:
    with pytest.raises(ValueError, match="rand"):
        retry_delay(1, POLICY, rand=lambda: 1.5)


def test_task_retries_spend_attempts() -> None:
    zero = lambda: 0.0  # noqa: E731
    assert plan_retry("task", POLICY, attempt=1, infrastructure_retries_used=0, rand=zero) == RetryPlan(
        "task", 10
    )
    assert plan_retry("task", POLICY, attempt=3, infrastructure_retries_used=0, rand=zero) == RetryPlan(
        "task", 40
    )
    assert plan_retry("task", POLICY, attempt=4, infrastructure_retries_used=0) is None


def test_default_policy_does_not_retry_task_failures() -> None:
    assert plan_retry("task", RetryPolicy(), attempt=1, infrastructure_retries_used=0) is None


def test_infrastructure_retries_have_their_own_budget() -> None:
    policy = RetryPolicy()  # attempts 1, infrastructureAttempts 3
    for used in range(3):
        plan = plan_retry("infrastructure", policy, attempt=used + 1, infrastructure_retries_used=used)
        assert plan is not None and plan.kind == "infrastructure"
    assert plan_retry("infrastructure", policy, attempt=4, infrastructure_retries_used=3) is None


def test_infrastructure_retries_do_not_spend_task_attempts() -> None:
    policy = RetryPolicy(attempts=2)
    # attempts 1-3 were lost to evictions; the 4th ran and raised: the task has used 1 of its 2 attempts.
    assert plan_retry("task", policy, attempt=4, infrastructure_retries_used=3) is not None
    assert plan_retry("task", policy, attempt=5, infrastructure_retries_used=3) is None


def test_no_retry_kind_means_fail() -> None:
    assert plan_retry(None, POLICY, attempt=1, infrastructure_retries_used=0) is None
