"""Payload limits at enqueue: size, nesting depth and strings PostgreSQL refuses; nothing stored when refused.

The same checks on a task's return value are in tests/runner/test_run_payloads.py.
"""

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from k8s_tasks.arguments import PayloadLimits, json_arguments, json_result, json_size
from k8s_tasks.backend import KubernetesBackend
from k8s_tasks.bulk import enqueue_many
from k8s_tasks.compat import InvalidTask
from k8s_tasks.exceptions import InvalidTaskArguments, InvalidTaskResult
from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def nested(depth: int) -> list[Any]:
    """A list ``depth`` levels deep: nested(1) == [], nested(2) == [[]]."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def refused(*args: Any, **kwargs: Any) -> str:
    """The message of the InvalidTaskArguments that enqueueing tests.tasks.echo raises; nothing stored."""
    with pytest.raises(InvalidTaskArguments) as raised:
        tasks.echo.enqueue(*args, **kwargs)
    assert isinstance(raised.value, TypeError) and isinstance(raised.value, InvalidTask)
    assert TaskRecord.objects.count() == 0
    return str(raised.value)


def options(**extra: Any) -> dict[str, Any]:
    """TASKS for the tests with extra OPTIONS."""
    queues = ["default", "gpu", "highmem", "sandbox", "limited"]
    return {"default": {"BACKEND": "k8s_tasks.backend.KubernetesBackend", "QUEUES": queues, "OPTIONS": extra}}


# -- size ------------------------------------------------------------------------------------------------


def test_arguments_over_the_default_1_mib_name_the_argument_its_size_the_limit_and_the_fix() -> None:
    message = refused("small", 2, payload="x" * MIB)
    size = json_size("x" * MIB)  # 1,048,578: the quotes count
    assert f"Cannot enqueue tests.tasks.echo: the arguments are {size + 23:,} bytes of JSON" in message
    assert "over the limit of 1,048,576 bytes (TASKS['default']['OPTIONS']['MAX_ARGUMENTS_BYTES'])" in message
    assert f"kwargs['payload'] is {size:,} bytes" in message
    assert "Pass a reference instead of the data (e.g. a storage key" in message
    assert "or raise TASKS['default']['OPTIONS']['MAX_ARGUMENTS_BYTES']" in message


def test_a_big_positional_argument_is_named_by_its_index() -> None:
    message = refused("a", "b", ["y" * 600_000, "z" * 600_000])
    assert re.search(r"; args\[2\] is 1,200,00\d bytes", message)


def test_just_under_the_limit_is_stored_and_one_byte_more_is_not() -> None:
    # args [] and kwargs {"p": "..."}: 2 + 2 + len('"p":') + the string with its quotes
    fits = "a" * (MIB - 2 - 2 - 4 - 2)
    assert json_size([]) + json_size({"p": fits}) == MIB
    result = tasks.echo.enqueue(p=fits)
    assert len(TaskRecord.objects.get(pk=result.id).kwargs["p"]) == len(fits)
    TaskRecord.objects.all().delete()
    assert "the arguments are 1,048,577 bytes of JSON" in refused(p=fits + "a")


def test_size_counts_json_escapes_and_utf8_not_characters() -> None:
    # 200,000 control characters are 1.2 MB of JSON ("\u0001" each); 300,000 'é' are 600 KB of UTF-8.
    assert "bytes of JSON, over the limit" in refused(p="\x01" * 200_000)
    tasks.echo.enqueue(p="é" * 300_000)
    assert TaskRecord.objects.count() == 1


def test_the_limit_is_an_option() -> None:
    with override_settings(TASKS=options(MAX_ARGUMENTS_BYTES=1000)):
        message = refused(p="x" * 1000)
        assert "over the limit of 1,000 bytes" in message
        tasks.echo.enqueue(p="x" * 900)
    with override_settings(TASKS=options(MAX_ARGUMENTS_BYTES=4 * MIB)):
        tasks.echo.enqueue(p="x" * (2 * MIB))
    assert TaskRecord.objects.count() == 2


def test_enqueue_many_checks_each_call_and_stores_nothing_if_one_is_too_big() -> None:
    with pytest.raises(InvalidTaskArguments, match=r"kwargs\['p'\] is 1,048,578 bytes"):
        enqueue_many(tasks.echo, [((), {"p": "small"}), ((), {"p": "x" * MIB})])
    assert TaskRecord.objects.count() == 0


def test_the_cheap_bound_never_lets_an_oversized_payload_through() -> None:
    """The walk's estimate is an upper bound: whatever it lets through without json.dumps fits."""
    limits = PayloadLimits(max_bytes=2000)
    samples = [
        "\x01" * 300,
        "é" * 600,
        "\U0001f600" * 400,
        '"\\' * 400,
        10**300,
        -(2**62),
        1e-308,
        True,
        None,
    ]
    for sample in samples:
        for count in range(1, 40):
            value = [sample] * count
            total = json_size([value]) + json_size({})
            if total > limits.max_bytes:
                with pytest.raises(InvalidTaskArguments, match="over the limit of 2,000 bytes"):
                    json_arguments("t", [value], {}, limits)
            else:
                json_arguments("t", [value], {}, limits)


# -- nesting ---------------------------------------------------------------------------------------------


def test_a_5000_deep_list_is_refused_cleanly_naming_where_the_limit_is_crossed() -> None:
    message = refused(nested(5000))
    assert "Cannot enqueue tests.tasks.echo: args[0]" + "[0]" * 32 + " is nested 33 levels deep" in message
    assert "over the limit of 32" in message and "TASKS['default']['OPTIONS']['MAX_NESTING_DEPTH']" in message
    assert "RecursionError" not in message


def test_32_levels_are_stored_33_are_not() -> None:
    result = tasks.echo.enqueue(data={"a": nested(31)})  # the dict is the first level
    assert json.dumps(TaskRecord.objects.get(pk=result.id).kwargs) == json.dumps({"data": {"a": nested(31)}})
    TaskRecord.objects.all().delete()
    message = refused(data={"a": nested(32)})
    assert "kwargs['data']['a']" + "[0]" * 31 + " is nested 33 levels deep" in message


def test_the_depth_is_an_option() -> None:
    with override_settings(TASKS=options(MAX_NESTING_DEPTH=3)):
        assert "args[0][0][0][0] is nested 4 levels deep, over the limit of 3" in refused(nested(4))
        tasks.echo.enqueue(nested(3))


# -- strings PostgreSQL refuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "where"),
    [
        (("a\x00b",), {}, "args[0] is a string that holds a NUL character ('\\x00') at index 1"),
        ((), {"rows": [{"name": "x\x00"}]}, "kwargs['rows'][0]['name'] is a string that holds a NUL"),
        ((), {"rows": {"k\x00": 1}}, "kwargs['rows'] has the key 'k\\x00' that holds a NUL"),
        (("\ud800",), {}, "args[0] is a string that holds the lone surrogate '\\ud800' at index 0"),
        (
            (["é", "x\udfff"],),
            {},
            "args[0][1] is a string that holds the lone surrogate '\\udfff' at index 1",
        ),
        ((), {"d": {"\udc80": 1}}, "kwargs['d'] has the key '\\udc80' that holds the lone surrogate"),
        ((), {"bad\x00name": 1}, "kwargs has the key 'bad\\x00name' that holds a NUL"),
    ],
)
def test_nul_and_lone_surrogates_are_refused_on_every_database(args: tuple, kwargs: dict, where: str) -> None:
    message = refused(*args, **kwargs)
    assert f"Cannot enqueue tests.tasks.echo: {where}" in message
    assert "Remove the character, or encode the data first (e.g. base64)" in message


def test_other_unicode_is_stored_as_is() -> None:
    text = "é \U0001f600 \u2028 \t \x1f \ufffd"
    result = tasks.echo.enqueue(text, key={text: text})
    record = TaskRecord.objects.get(pk=result.id)
    assert record.args == [text] and record.kwargs == {"key": {text: text}}


# -- not JSON: Django's wording first, then ours ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "django", "ours"),
    [
        ({1, 2}, "Unsupported type: <class 'set'>", "args[0] is {1, 2} of type builtins.set."),
        (b"raw", "Unsupported value: <class 'bytes'>", "args[0] is b'raw' of type bytes"),
        (object(), "Unsupported type: <class 'object'>", "args[0] is <object object at"),
    ],
)
def test_non_json_types_say_djangos_words_first_then_ours(value: Any, django: str, ours: str) -> None:
    message = refused(value)
    assert message.startswith(f"{django}. Cannot enqueue tests.tasks.echo: {ours}")
    assert ("Pass only JSON types" in message) or ("Decode them first" in message)


def test_a_huge_integer_is_refused_not_crashed_on() -> None:
    message = refused(10**5000)
    assert "args[0] is an integer of about 5000 digits" in message and "str(value)" in message


def test_long_values_and_keys_are_shortened_in_the_message() -> None:
    message = refused({"k" * 1000: object()})
    assert len(message) < 600 and "..." in message


# -- options ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("MAX_ARGUMENTS_BYTES", 0, "['MAX_ARGUMENTS_BYTES'] is 0; set it to a whole number of bytes from 1"),
        ("MAX_ARGUMENTS_BYTES", "1MB", "['MAX_ARGUMENTS_BYTES'] is '1MB'; set it to a whole number of bytes"),
        (
            "MAX_RESULT_BYTES",
            2**30,
            f"['MAX_RESULT_BYTES'] is {2**30}; set it to a whole number of bytes from",
        ),
        ("MAX_NESTING_DEPTH", 1000, "['MAX_NESTING_DEPTH'] is 1000; set it to a whole number of levels from"),
        ("MAX_NESTING_DEPTH", True, "['MAX_NESTING_DEPTH'] is True"),
    ],
)
def test_bad_limits_are_e002_naming_field_value_and_fix(key: str, value: Any, text: str) -> None:
    backend = KubernetesBackend("jobs", {"QUEUES": ["default"], "OPTIONS": {key: value}})
    [message] = backend.check()
    assert message.id == "k8s_tasks.E002" and text in message.msg
    assert "or leave it out for the default" in message.msg
    with pytest.raises(ImproperlyConfigured, match=re.escape(text)):
        _ = backend.options_parsed


def test_limits_are_read_from_options() -> None:
    backend = KubernetesBackend(
        "jobs",
        {
            "QUEUES": ["default"],
            "OPTIONS": {"MAX_ARGUMENTS_BYTES": 10, "MAX_RESULT_BYTES": 20, "MAX_NESTING_DEPTH": 3},
        },
    )
    assert backend.check() == []
    assert backend.argument_limits == PayloadLimits(10, 3, "TASKS['jobs']['OPTIONS']")
    assert backend.result_limits == PayloadLimits(20, 3, "TASKS['jobs']['OPTIONS']")
    defaults = KubernetesBackend("jobs", {"QUEUES": ["default"]})
    assert (defaults.argument_limits.max_bytes, defaults.result_limits.max_bytes) == (MIB, MIB)
    assert defaults.argument_limits.max_depth == 32


# -- the return value (the runner calls json_result; the subprocess tests are in tests/runner) -----------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("x" * MIB, "it is 1,048,578 bytes of JSON, over the limit of 1,048,576 bytes"),
        (nested(40), "return_value" + "[0]" * 32 + " is nested 33 levels deep"),
        ({"a": ["\x00"]}, "return_value['a'][0] is a string that holds a NUL character"),
        ({"\ud800": 1}, "return_value has the key '\\ud800' that holds the lone surrogate"),
        (float("inf"), "return_value is inf, which JSON cannot represent"),
        (b"\xff", "(Unsupported value: <class 'bytes'>): return_value is b'\\xff', bytes that are not UTF-8"),
        ({(1, 2): 3}, "return_value has the key (1, 2) of type builtins.tuple; JSON keys are strings"),
    ],
)
def test_return_values_are_checked_the_same_way(value: Any, text: str) -> None:
    with pytest.raises(InvalidTaskResult) as raised:
        json_result("tests.tasks.x", value)
    assert isinstance(raised.value, TypeError)
    assert str(raised.value).startswith("The return value of tests.tasks.x cannot be stored")
    assert text in str(raised.value)


def test_return_values_are_normalised_as_django_does() -> None:
    assert json_result("t", (1, b"two", {3: (4,)}, range(2))) == [1, "two", {"3": [4]}, [0, 1]]
