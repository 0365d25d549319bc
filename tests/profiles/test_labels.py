"""Job names and label values: Kubernetes' naming rules, determinism, no collisions."""

import re

import pytest

from k8s_tasks.profiles import job_name, sanitize_label_value
from k8s_tasks.profiles.labels import is_dns_label, is_label_value, label_key_problem, task_name

from .conftest import UUID

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?)?$")
ODD_IDS = [UUID, "UPPER_case.id", "x" * 300, "--lead-and-trail--", "é unicode ✓", "1", "a.b.c", "-" * 10]


def test_uuid_job_name_is_readable() -> None:
    assert job_name(UUID, 1) == f"task-{UUID}-1"


@pytest.mark.parametrize("task_id", ODD_IDS)
@pytest.mark.parametrize("attempt", [0, 1, 12, 99999])
def test_job_name_is_a_dns_label_leaving_room_for_the_pod_suffix(task_id: str, attempt: int) -> None:
    name = job_name(task_id, attempt)
    assert DNS_LABEL.match(name), name
    assert len(name) <= 57
    assert len(f"{name}-abcde") <= 63
    assert name == job_name(task_id, attempt)  # deterministic
    assert name.endswith(f"-{attempt}")


def test_job_names_differ_per_attempt_and_per_task() -> None:
    names = {job_name(task_id, attempt) for task_id in ODD_IDS for attempt in (1, 2)}
    assert len(names) == 2 * len(ODD_IDS)
    # two long ids sharing a 60-character prefix still get distinct names
    assert job_name("a" * 60 + "1", 1) != job_name("a" * 60 + "2", 1)
    assert job_name("ab", 1) != job_name("AB", 1)


def test_negative_attempt_is_refused() -> None:
    with pytest.raises(ValueError, match="attempt"):
        job_name(UUID, -1)


@pytest.mark.parametrize("value", [*ODD_IDS, "", "ok-value", "a" * 63, "a" * 64, "trailing.", "_x_"])
def test_sanitized_label_values_follow_the_rules(value: str) -> None:
    cleaned = sanitize_label_value(value)
    assert LABEL_VALUE.match(cleaned), cleaned
    assert len(cleaned) <= 63
    assert is_label_value(cleaned)
    if is_label_value(value):
        assert cleaned == value


def test_sanitizing_is_collision_resistant() -> None:
    assert sanitize_label_value("a" * 64) != sanitize_label_value("a" * 65)
    assert sanitize_label_value("a b") != sanitize_label_value("a-b")


def test_task_name_is_the_function_name() -> None:
    assert task_name("myapp.tasks.send_video") == "send_video"
    assert task_name("myapp.tasks.<lambda>") != ""
    assert is_label_value(task_name("x." + "f" * 100))


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("pool", True),
        ("k8stasks.io/queue", True),
        ("nvidia.com/gpu", True),
        ("Bad_Prefix.com/x", False),
        ("a/", False),
        ("/x", False),
        ("x" * 64, False),
        ("ok.example.com/" + "n" * 63, True),
    ],
)
def test_label_keys(key: str, ok: bool) -> None:
    assert (label_key_problem(key) is None) is ok


def test_dns_label() -> None:
    assert is_dns_label("scratch")
    assert not is_dns_label("Scratch")
    assert not is_dns_label("a" * 64)
