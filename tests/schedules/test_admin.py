"""The admin shows which schedule enqueued a task (and for which tick), filters tasks by schedule, and
lists the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from k8s_tasks.schedules import runs
from k8s_tasks.schedules.spec import parse_spec
from tests import tasks

pytestmark = pytest.mark.django_db(transaction=True)  # decide_tick manages its own connection
KEY = runs.ScheduleKey("0c7e-uid", "default", "nightly-report", datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
TICK = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)


@pytest.fixture
def client() -> Client:
    browser = Client()
    browser.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return browser


def test_a_scheduled_task_shows_its_schedule_and_tick(client: Client) -> None:
    spec = parse_spec({"schedule": "30 2 * * *", "task": "tests.tasks.add", "args": [1, 2]})
    written = runs.decide_tick(KEY, spec, TICK, "enqueued", TICK)
    plain = tasks.add.enqueue(3, 4)
    page = client.get(f"/admin/k8s_tasks/taskrecord/{written.task_id}/change/").content.decode()
    assert "Scheduled by" in page
    link = '<a href="/admin/k8s_tasks/scheduledrun/?schedule_uid=0c7e-uid">default/nightly-report</a>'
    assert f"TaskSchedule {link}" in page
    assert "for its tick of 2026-11-28 02:30:00 UTC" in page
    other = client.get(f"/admin/k8s_tasks/taskrecord/{plain.id}/change/").content.decode()
    assert "TaskSchedule <a" not in other
    listed = client.get(
        "/admin/k8s_tasks/taskrecord/", {"schedule": "default/nightly-report"}
    ).content.decode()
    assert written.task_id in listed and plain.id not in listed
    unscheduled = client.get("/admin/k8s_tasks/taskrecord/", {"schedule": "-"}).content.decode()
    assert plain.id in unscheduled and written.task_id not in unscheduled
    ledger = client.get("/admin/k8s_tasks/scheduledrun/", {"schedule_uid": "0c7e-uid"})
    assert ledger.status_code == 200 and written.task_id in ledger.content.decode()
