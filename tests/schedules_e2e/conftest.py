"""The TaskSchedule CRD installed beside the TaskQueue one, the operator on a manual schedule clock
(K8S_TASKS_SCHEDULE_CLOCK=file:...: the test moves time forward, ticks come without waiting real
minutes), and helpers to create schedules and read their runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from k8s_tasks.models import TaskRecord
from k8s_tasks.schedules.ids import run_id
from k8s_tasks.schedules.ledger import ScheduledRun
from k8s_tasks_operator.crd import GROUP, VERSION, load_schedule_crd
from tests.e2e import NAMESPACE
from tests.waiting import wait_until

PLURAL = "taskschedules"


@dataclass
class ManualClock:
    """The operators' schedule clock: a file holding the time."""

    path: Path
    now: datetime

    def set(self, moment: datetime) -> None:
        self.now = moment
        self.path.write_text(moment.isoformat())

    def advance(self, seconds: float) -> datetime:
        self.set(self.now + timedelta(seconds=seconds))
        return self.now


@pytest.fixture
def schedule_clock(tmp_path: Path) -> ManualClock:
    clock = ManualClock(tmp_path / "schedule-clock", datetime.now(UTC))
    clock.set(clock.now)
    return clock


@pytest.fixture
def schedule_crd(api: client.ApiClient) -> None:
    client.ApiextensionsV1Api(api).create_custom_resource_definition(load_schedule_crd())


@pytest.fixture
def operator_env(
    operator_env: dict[str, str], schedule_crd: None, schedule_clock: ManualClock
) -> dict[str, str]:
    """The operator starts once the TaskSchedule CRD exists (kopf watches it), on the manual clock."""
    return {**operator_env, "K8S_TASKS_SCHEDULE_CLOCK": f"file:{schedule_clock.path}"}


def custom(api: client.ApiClient) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api)


ScheduleFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_schedule(api: client.ApiClient, schedule_crd: None) -> ScheduleFactory:
    def create(name: str, **spec: Any) -> dict[str, Any]:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "TaskSchedule",
            "metadata": {"name": name},
            "spec": spec,
        }
        created: dict[str, Any] = custom(api).create_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, PLURAL, body
        )
        return created

    return create


def get_schedule(api: client.ApiClient, name: str) -> dict[str, Any]:
    found: dict[str, Any] = custom(api).get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name)
    return found


def patch_spec(api: client.ApiClient, name: str, **spec: Any) -> None:
    custom(api).patch_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name, {"spec": spec})


def created_at(schedule: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(schedule["metadata"]["creationTimestamp"].replace("Z", "+00:00"))


def first_minute_after(moment: datetime) -> datetime:
    """The first whole minute after `moment` (the first tick of "* * * * *" for an object created then)."""
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def ledger(uid: str) -> list[ScheduledRun]:
    return list(ScheduledRun.objects.filter(schedule_uid=uid).order_by("scheduled_at"))


def runs_of(uid: str) -> list[ScheduledRun]:
    return [row for row in ledger(uid) if row.state == "enqueued"]


def wait_run(uid: str, tick: datetime, timeout: float = 60.0) -> TaskRecord:
    """The task row of `tick`'s run, once the operator has enqueued it."""
    task_id = run_id(uid, tick)
    return wait_until(
        lambda: TaskRecord.objects.filter(pk=task_id).first(),
        timeout=timeout,
        what=f"the run of {tick:%H:%M:%S} ({task_id})",
    )


def condition(schedule: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = ((schedule.get("status") or {}).get("conditions") or [{}])[0]
    return found


def events_of(api: client.ApiClient, name: str) -> list[Any]:
    items: list[Any] = (
        client.CoreV1Api(api)
        .list_namespaced_event(NAMESPACE, field_selector=f"involvedObject.name={name}")
        .items
    )
    return items
