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
    if expect.isolated and outcome.status == "SUCCESSFUL":
        found.extend(sealed_view_problems(outcome.return_value))
    if expect.value is not None and outcome.status == "SUCCESSFUL":
        problem = expect.value(outcome.return_value)
        if problem:
            found.append(problem)
    return [f"{name}: {text}" for text in found]


def sealed_view_problems(value: object) -> list[str]:
    """What a sealed pod reported seeing (example 05's `seen`): no credentials in its env, its own task
    file only, no database, no network."""
    seen = value.get("seen") if isinstance(value, dict) else None
    if not isinstance(seen, dict):
        return []
    checks = (
        ("credentials in its env", "credential_env", lambda v: v == []),
        ("files handed to it", "task_files", lambda v: v == ["task.json"]),
        ("its database", "database", lambda v: str(v).startswith("SealedDatabaseAccess")),
        ("the network", "network", lambda v: "unreachable" in str(v)),
    )
    return [
        f"the sealed pod saw {what}: {seen.get(key)!r}" for what, key, ok in checks if not ok(seen.get(key))
    ]


def all_problems(plan: list[Planned], outcomes: dict[str, Outcome]) -> list[str]:
    return [text for planned in plan for text in problems(planned, outcomes.get(planned.result_id))]
