"""`python -m k8s_tasks schedules` and `manage.py k8s_tasks_schedules` list the TaskSchedules with their
next run and their last run (tick, task id, status); without a cluster, what the database knows."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from kubernetes import client

from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import Operator, QueueFactory, wait_final
from tests.waiting import wait_until

from .conftest import (
    ManualClock,
    ScheduleFactory,
    condition,
    created_at,
    first_minute_after,
    get_schedule,
    wait_run,
)

TICK = "tests.schedules_e2e.tasks.tick"


def schedules(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "k8s_tasks", "schedules", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_schedules_lists_next_and_last_runs(
    operator: Operator,
    make_queue: QueueFactory,
    make_schedule: ScheduleFactory,
    schedule_clock: ManualClock,
    api: client.ApiClient,
    cluster: LocalCluster,
    subprocess_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_queue("default")
    uid = make_schedule("nightly", schedule="30 2 * * *", timeZone="Europe/Berlin", task=TICK)["metadata"][
        "uid"
    ]
    make_schedule("minutely", schedule="* * * * *", task=TICK)
    make_schedule("paused", schedule="@hourly", task=TICK, suspend=True)
    make_schedule("broken", schedule="* * * *", task=TICK)
    first = first_minute_after(created_at(get_schedule(api, "minutely")))
    schedule_clock.set(first + timedelta(seconds=1))
    operator.wait_ready()
    minutely = get_schedule(api, "minutely")["metadata"]["uid"]
    run = wait_final(wait_run(minutely, first).pk)
    wait_until(lambda: condition(get_schedule(api, "broken")).get("status") == "False", what="broken invalid")
    env = {**subprocess_env, "KUBECONFIG": str(cluster.kubeconfig_path)}
    out = schedules(env)
    table = out.split("\n\n")[0]
    lines = {line.split()[0]: line for line in table.splitlines() if line.startswith("default/")}
    assert out.splitlines()[0].split()[:4] == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND"]
    assert set(lines) == {"default/nightly", "default/minutely", "default/paused", "default/broken"}
    # Next run from the spec, in the schedule's zone (the real clock here: the CLI reads no test clock).
    assert "Europe/Berlin" in lines["default/nightly"] and " 02:30 +0" in lines["default/nightly"]
    assert "- (suspended)" in lines["default/paused"]
    # The last run, from the ledger and the task row.
    assert f"{first:%Y-%m-%d %H:%M:%S}Z" in lines["default/minutely"] and run.pk in lines["default/minutely"]
    assert run.status in lines["default/minutely"] and lines["default/minutely"].split()[-1] == "True"
    assert (
        uid not in out and "default/broken: Valid=False: spec.schedule: '* * * *': expected exactly 5" in out
    )
    # manage.py k8s_tasks_schedules: the same table.
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig_path))
    captured = io.StringIO()
    call_command("k8s_tasks_schedules", "--namespace", "default", stdout=captured)
    assert run.pk in captured.getvalue() and "default/paused" in captured.getvalue()
    # No cluster: the schedules the ledger knows, from the database alone.
    offline = schedules({**env, "KUBECONFIG": str(Path(os.devnull))})
    assert offline.startswith("(no cluster:") and "default/minutely" in offline and run.pk in offline
    assert "default/paused" not in offline  # never ran: the database does not know it
