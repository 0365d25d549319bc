"""operator.pruneAfter / pruneSeconds: the env the operator's own parser reads; off by default; the schema
takes only ages."""

from __future__ import annotations

from datetime import timedelta

from k8s_tasks_operator.config import parse_args

from .helm import env_map, operator_container, render, render_error


def _env(values: dict[str, object]) -> tuple[list[str], dict[str, str]]:
    container = operator_container(render(values))
    env = {name: value for name, value in env_map(container).items() if isinstance(value, str)}
    return container["command"][3:], env


def test_off_by_default() -> None:
    args, env = _env({})
    assert "K8S_TASKS_PRUNE_AFTER" not in env
    assert parse_args(args, env).prune_after is None


def test_prune_after_reaches_the_operators_setting() -> None:
    args, env = _env({"operator": {"pruneAfter": "30d", "pruneSeconds": 600}})
    assert (env["K8S_TASKS_PRUNE_AFTER"], env["K8S_TASKS_PRUNE_SECONDS"]) == ("30d", "600")
    config = parse_args(args, env)
    assert (config.prune_after, config.prune_seconds) == (timedelta(days=30), 600.0)


def test_the_schema_takes_only_ages() -> None:
    for bad in ("30 days", "0d", "1.5h", "forever"):
        assert "pruneAfter" in render_error({"operator": {"pruneAfter": bad}}), bad
    assert "pruneSeconds" in render_error({"operator": {"pruneSeconds": 0}})
