"""Did every task end as the demo expected? Pure functions over plan.Planned and plan.Outcome."""

from __future__ import annotations

from .plan import Outcome, Planned

ISOLATION_LABEL = ("k8stasks.io/network", "isolated")


def problems(planned: Planned, outcome: Outcome | None) -> list[str]:
    """Every way `outcome` differs from what `planned` expects, each naming the task."""
    name = f"{planned.example} {planned.label} ({planned.result_id})"
    if outcome is None:
        return [f"{name}: its row is missing"]
    if not outcome.finished:
        detail = f": {outcome.reason}" if outcome.reason else ""
        return [f"{name}: still {outcome.status} at the deadline{detail}"]
    expect = planned.expect
    found: list[str] = []
    if outcome.status != expect.status:
        found.append(f"ended {outcome.status} ({outcome.reason or 'no reason'}), expected {expect.status}")
    if expect.error is not None and outcome.last_error != expect.error:
        found.append(f"last error is {outcome.last_error}, expected {expect.error}")
    if expect.attempts is not None and outcome.attempt != expect.attempts:
        found.append(f"took {outcome.attempt} attempt(s), expected {expect.attempts}")
    if expect.pool is not None and outcome.node_pool != expect.pool:
        found.append(f"ran on node {outcome.node} (pool {outcome.node_pool}), expected pool {expect.pool}")
    if expect.isolated and outcome.pod_labels.get(ISOLATION_LABEL[0]) != ISOLATION_LABEL[1]:
        found.append(f"pod lacks the label {ISOLATION_LABEL[0]}={ISOLATION_LABEL[1]}")
    if expect.value is not None and outcome.status == "SUCCESSFUL":
        problem = expect.value(outcome.return_value)
        if problem:
            found.append(problem)
    return [f"{name}: {text}" for text in found]


def all_problems(plan: list[Planned], outcomes: dict[str, Outcome]) -> list[str]:
    return [text for planned in plan for text in problems(planned, outcomes.get(planned.result_id))]
