"""The deployment controller's rollout arithmetic (pure functions, no cluster)."""

import pytest

from k8s_tasks.testing.sim.rollout import (
    fenceposts,
    new_rs_replicas,
    old_scale_downs,
    selector_string,
    template_hash,
)


def deployment(replicas: int, surge: object = "25%", unavailable: object = "25%") -> dict:
    rolling = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {"spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": rolling}}}


def rs(name: str, replicas: int, available: int, created: str = "2026-01-01T00:00:00Z") -> dict:
    return {
        "metadata": {"name": name, "creationTimestamp": created},
        "spec": {"replicas": replicas},
        "status": {"availableReplicas": available},
    }


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "expected"),
    [
        (4, "25%", "25%", (1, 1)),
        (1, "25%", "25%", (1, 0)),
        (10, "25%", "25%", (3, 2)),
        (3, 0, 0, (0, 1)),
        (5, 2, "40%", (2, 2)),
    ],
)
def test_fenceposts_round_surge_up_and_unavailable_down(replicas, surge, unavailable, expected) -> None:
    assert fenceposts(deployment(replicas, surge, unavailable)) == expected


def test_a_rolling_update_surges_then_shrinks_the_old_set_within_availability() -> None:
    d = deployment(4)  # surge 1, unavailable 1
    old, new = rs("old", 4, 4), rs("new", 0, 0, "2026-01-02T00:00:00Z")
    assert new_rs_replicas(d, [old, new], new) == 1  # 5 pods at most
    new = rs("new", 1, 0, "2026-01-02T00:00:00Z")
    assert old_scale_downs(d, [old, new], [old], new) == {"old": 3}  # keep 3 available
    new = rs("new", 1, 1, "2026-01-02T00:00:00Z")
    old = rs("old", 3, 3)
    assert new_rs_replicas(d, [old, new], new) == 2
    assert old_scale_downs(d, [old, rs("new", 2, 1)], [old], rs("new", 2, 1)) == {"old": 2}


def test_scaling_without_a_rollout_goes_straight_to_the_target() -> None:
    only = rs("only", 2, 2)
    assert new_rs_replicas(deployment(5), [only], only) == 5
    assert old_scale_downs(deployment(5), [only], [], only) == {}


def test_template_hash_is_stable_safe_and_changes_with_collisions() -> None:
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "x"}]}}
    first = template_hash(template, None)
    assert first == template_hash(dict(reversed(list(template.items()))), None)
    assert set(first) <= set("bcdfghjklmnpqrstvwxz2456789") and 1 <= len(first) <= 10
    assert template_hash(template, 1) != first


def test_selector_string_sorts_requirements_by_key() -> None:
    selector = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}],
    }
    assert selector_string(selector) == "app=shop,env in (dev,prod),tier=web"
