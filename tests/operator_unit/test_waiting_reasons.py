"""Why a READY row waits, written only when true: a TaskQueue the watch has not shown yet is looked up.

The demo showed "Waiting: no TaskQueue for queue 'default'" on rows whose queue had been created before
them: the operator wrote the reason from what its watch had shown so far. Now a queue unknown to the
operator is confirmed missing by listing the TaskQueues first, and only rows read before that listing are
written. The API is the fake listing below; the rows are real.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from k8s_tasks.models import TaskRecord
from k8s_tasks_operator import kube, reconcile
from k8s_tasks_operator.config import OperatorConfig
from k8s_tasks_operator.runtime import Runtime
from tests import tasks

pytestmark = pytest.mark.django_db(transaction=True)  # the operator reads in worker threads


def queue(name: str, version: int = 1, **spec: Any) -> dict[str, Any]:
    meta = {"name": name, "uid": f"uid-{name}", "generation": 1, "resourceVersion": str(version)}
    return {"apiVersion": "k8stasks.io/v1alpha1", "kind": "TaskQueue", "metadata": meta, "spec": spec}


def row(queue_name: str) -> str:
    record = TaskRecord.objects.create(
        task_path=tasks.echo.module_path, queue_name=queue_name, backend_name="default"
    )
    return str(record.pk)


def reason(task_id: str) -> str:
    return TaskRecord.objects.get(pk=task_id).reason


class Listing:
    """The fake API's TaskQueues (kube.list_queues), and how often they were listed."""

    def __init__(self) -> None:
        self.queues: list[dict[str, Any]] = []
        self.calls = 0
        self.during: list[str] = []
        self.enqueue_during: str | None = None

    def __call__(self, namespace: str) -> list[dict[str, Any]]:
        self.calls += 1
        if self.enqueue_during:  # a row enqueued while the listing was being answered
            self.during.append(row(self.enqueue_during))
        return self.queues


@pytest.fixture
def listing(monkeypatch: pytest.MonkeyPatch) -> Listing:
    fake = Listing()
    monkeypatch.setattr(kube, "list_queues", fake)
    return fake


def waiting_reasons(rt: Runtime) -> None:
    asyncio.run(reconcile.waiting_reasons(rt))


def test_a_queue_created_before_its_rows_is_never_said_missing(listing: Listing) -> None:
    rt = Runtime(config=OperatorConfig(namespace="tasks"))
    task_id = row("default")
    listing.queues = [queue("default")]  # created; its watch event has not reached the operator yet
    waiting_reasons(rt)
    assert reason(task_id) == ""
    assert rt.queues.known_queue_names() == {"default"}  # learnt from the listing
    assert rt.wake.is_set()  # and dispatch is woken for it


def test_a_missing_queue_and_an_invalid_one_are_said_so(listing: Listing) -> None:
    rt = Runtime(config=OperatorConfig(namespace="tasks"))
    missing, broken = row("gpu"), row("highmem")
    listing.queues = [queue("highmem", concurrency="lots")]
    waiting_reasons(rt)
    assert reason(missing).startswith("Waiting: no TaskQueue for queue 'gpu' in namespace 'tasks'. Create")
    assert reason(broken).startswith(
        "Waiting: the TaskQueue for queue 'highmem' in namespace 'tasks' is invalid (Valid=False): "
        "spec.concurrency"
    )
    calls = listing.calls
    waiting_reasons(rt)  # every waiting row says why already: the API is not asked again
    assert listing.calls == calls == 1


def test_rows_enqueued_during_the_listing_wait_for_the_next_pass(listing: Listing) -> None:
    rt = Runtime(config=OperatorConfig(namespace="tasks"))
    first = row("sandbox")
    listing.enqueue_during = "sandbox"  # its TaskQueue may have been created after the listing
    waiting_reasons(rt)
    assert reason(first).startswith("Waiting: no TaskQueue for queue 'sandbox'")
    assert reason(listing.during[0]) == ""  # not read before the listing: not written
