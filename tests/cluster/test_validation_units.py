"""Units of the validation port: Quantity parsing and canonical form (apimachinery's quantity.go and its
tests' vectors), field errors' bodies and their aggregate."""

import pytest

from k8s_tasks.testing.apivalidation import field
from k8s_tasks.testing.apivalidation.names import is_dns1123_label, is_qualified_name
from k8s_tasks.testing.apivalidation.quantity import (
    ERR_FORMAT,
    ERR_SUFFIX,
    QuantityError,
    canonical,
    parse_quantity,
    quantity_of,
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("-1", "-1"),
        ("1.5", "1500m"),
        ("1.5Gi", "1536Mi"),
        ("500m", "500m"),
        ("1000", "1k"),
        ("1024", "1024"),
        ("1Ki", "1Ki"),
        ("100Mi", "100Mi"),
        ("0.5", "500m"),
        (".5", "500m"),
        ("5.", "5"),
        ("12e6", "12e6"),
        ("0", "0"),
        ("0.1m", "100u"),
        ("1E", "1E"),
    ],
)
def test_canonical_form(text: str, shown: str) -> None:
    assert canonical(parse_quantity(text)) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [("lots", ERR_FORMAT), ("", ERR_FORMAT), ("1.5.5", ERR_FORMAT), ("5Gb", ERR_FORMAT), ("5mi", ERR_SUFFIX)],
)
def test_parse_errors_are_upstreams(text: str, message: str) -> None:
    with pytest.raises(QuantityError) as error:
        parse_quantity(text)
    assert str(error.value) == message


def test_json_numbers_are_quantities_too() -> None:
    assert canonical(quantity_of(2)) == "2" and canonical(quantity_of(0.25)) == "250m"
    with pytest.raises(QuantityError):
        quantity_of(True)


def test_error_bodies_render_values_as_go_prints_them() -> None:
    assert field.invalid("f", "x", "d").body() == 'Invalid value: "x": d'
    assert field.invalid("f", -1, "d").body() == "Invalid value: -1: d"
    assert field.invalid("f", None, "d").body() == 'Invalid value: "null": d'
    assert field.invalid("f", {"b": "2", "a": "1"}, "d").body() == (
        'Invalid value: map[string]string{"a":"1", "b":"2"}: d'
    )
    assert field.required("f", "").body() == "Required value"
    assert field.forbidden("f", "no").body() == "Forbidden: no"
    assert (
        field.not_supported("f", "x", ["a", "b"]).body()
        == 'Unsupported value: "x": supported values: "a", "b"'
    )


def test_aggregate_drops_repeats_and_brackets_several() -> None:
    one = field.invalid("a", 1, "d")
    assert field.aggregate([one, one]) == "a: Invalid value: 1: d"
    assert field.aggregate([one, field.required("b")]) == "[a: Invalid value: 1: d, b: Required value]"


def test_names() -> None:
    assert is_dns1123_label("a.b") == ("must not contain dots",)
    assert is_qualified_name("a/b/c")[0].startswith("a valid label key must consist of")
    assert is_qualified_name("/x") == ("prefix part must be non-empty",)
