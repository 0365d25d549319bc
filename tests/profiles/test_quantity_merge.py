"""Quantities (the API server's grammar) and the podTemplate merge rules."""

from decimal import Decimal

import pytest

from k8s_tasks.profiles import merge, parse_quantity
from k8s_tasks.profiles.quantity import canonical


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Decimal("0.5")),
        ("2", Decimal(2)),
        (2, Decimal(2)),
        (1.5, Decimal("1.5")),
        ("64Mi", Decimal(64 * 2**20)),
        ("1G", Decimal(10**9)),
        ("1e3", Decimal(1000)),
        (".5", Decimal("0.5")),
        ("+1Ki", Decimal(1024)),
        ("-1", Decimal(-1)),
    ],
)
def test_valid_quantities(text: str | int | float, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text", ["lots", "", "1 Gi", "1gi", "1GB", "Mi", "1.2.3", True, None, [1], "1e", "0x10"]
)
def test_invalid_quantities(text: object) -> None:
    with pytest.raises(ValueError, match="is not a Kubernetes quantity"):
        parse_quantity(text)


def test_merge_is_deep_and_leaves_inputs_alone() -> None:
    base = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    patch = {"a": {"c": 3, "d": 4}, "l": [9]}
    assert merge(base, patch) == {"a": {"b": 1, "c": 3, "d": 4}, "l": [9]}
    assert base == {"a": {"b": 1, "c": 2}, "l": [1, 2]}


def test_merge_null_removes_a_key() -> None:
    assert merge({"a": 1, "b": 2}, {"a": None}) == {"b": 2}


def test_merge_named_lists_item_by_item() -> None:
    base = {"containers": [{"name": "task", "image": "a", "env": [{"name": "X", "value": "1"}]}]}
    patch = {
        "containers": [{"name": "task", "env": [{"name": "Y", "value": "2"}]}, {"name": "side", "image": "b"}]
    }
    merged = merge(base, patch)
    assert merged["containers"][0] == {
        "name": "task",
        "image": "a",
        "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
    }
    assert merged["containers"][1] == {"name": "side", "image": "b"}


@pytest.mark.parametrize(("value", "text"), [(1, "1"), (2.0, "2"), (0.5, "0.5"), ("64Mi", "64Mi")])
def test_manifest_quantities_are_strings(value: str | int | float, text: str) -> None:
    assert canonical(value) == text
