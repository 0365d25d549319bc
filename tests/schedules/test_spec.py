"""A TaskSchedule spec checked: defaults filled in, and every problem reported at once, each naming the
exact field and the fix (the operator puts them in the Valid condition)."""

from __future__ import annotations

import pytest

from k8s_tasks.schedules.spec import SpecError, parse_spec

TASK = "tests.tasks.add"


def problems(**spec: object) -> list[str]:
    with pytest.raises(SpecError) as raised:
        parse_spec(spec)
    return raised.value.problems


def test_a_valid_spec_with_its_defaults() -> None:
    spec = parse_spec({"schedule": "@hourly", "task": TASK, "args": [1, 2]})
    assert (spec.time_zone, spec.policy, spec.deadline_seconds, spec.suspend) == ("UTC", "Allow", None, False)
    assert (spec.successful_limit, spec.failed_limit) == (3, 1)  # CronJob's history limits
    assert (spec.queue_name, spec.priority, spec.backend, spec.database) == (
        "default",
        0,
        "default",
        "default",
    )
    assert (spec.args, spec.kwargs) == ([1, 2], {})


def test_every_field_given() -> None:
    spec = parse_spec(
        {
            "schedule": "30 2 * * *",
            "timeZone": "Europe/Berlin",
            "task": "tests.tasks.echo",
            "kwargs": {"report": "nightly"},
            "queueName": "highmem",
            "priority": 10,
            "backend": "default",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 300,
            "suspend": True,
            "successfulRunsHistoryLimit": 5,
            "failedRunsHistoryLimit": 0,
        }
    )
    assert (spec.zone.key, spec.queue_name, spec.priority, spec.policy) == (
        "Europe/Berlin",
        "highmem",
        10,
        "Forbid",
    )
    assert (spec.deadline_seconds, spec.suspend, spec.successful_limit, spec.failed_limit) == (
        300,
        True,
        5,
        0,
    )


BASE = {"schedule": "@daily", "task": TASK}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"schedule": "61 * * * *"}, "spec.schedule: '61 * * * *': minute field"),
        ({"schedule": "TZ=UTC 0 * * * *"}, "spec.schedule: 'TZ=UTC 0 * * * *': cannot use TZ"),
        ({"schedule": "0 0 30 2 *"}, "spec.schedule: '0 0 30 2 *' never matches a date"),
        ({"schedule": None}, "spec.schedule: required"),
        ({"timeZone": "Europe/Berln"}, "did you mean 'Europe/Berlin'?"),
        ({"timeZone": "Local"}, "spec.timeZone: 'Local': the time zone must be explicit"),
        ({"timeZone": "../etc/passwd"}, "is not a valid time zone name"),
        ({"task": None}, "spec.task: required"),
        ({"task": "nowhere.tasks.report"}, "spec.task: cannot import 'nowhere.tasks.report'"),
        ({"task": "tests.schedules_e2e.tasks.not_a_task"}, "is a function, not a Task"),
        ({"queueName": "reports"}, "spec.queueName: Queue 'reports' is not valid"),
        ({"priority": 500}, "spec.priority: 500 is not a whole number from -100"),
        ({"backend": "nope"}, "spec.backend: 'nope' is not in TASKS"),
        ({"args": {"a": 1}}, "spec.args: {'a': 1} is not a list"),
        ({"kwargs": [1]}, "spec.kwargs: [1] is not an object"),
        ({"args": ["\x00"]}, "spec.args/kwargs: Cannot enqueue tests.tasks.add"),
        ({"concurrencyPolicy": "forbid"}, "(did you mean 'Forbid'?)"),
        ({"startingDeadlineSeconds": -1}, "spec.startingDeadlineSeconds: -1"),
        ({"successfulRunsHistoryLimit": "3"}, "spec.successfulRunsHistoryLimit"),
        ({"suspend": "yes"}, "spec.suspend: 'yes' is not true or false"),
        ({"schedul": "x"}, "spec.schedul: unknown field (did you mean 'schedule'?)"),
    ],
)
def test_each_problem_names_its_field_and_the_fix(spec: dict[str, object], expected: str) -> None:
    given = {key: value for key, value in {**BASE, **spec}.items() if value is not None}
    found = problems(**given)
    assert any(expected in problem for problem in found), found


def test_every_problem_at_once() -> None:
    found = problems(schedule="* * *", timeZone="Mars/Olympus", task=TASK, concurrencyPolicy="Sometimes")
    assert [p.split(":")[0] for p in found] == ["spec.timeZone", "spec.schedule", "spec.concurrencyPolicy"]
