"""The tail of every task's output is stored with its row whoever writes the outcome: the runner (success,
exception, a cancel it sees), or the operator from the pod's log (OOMKilled, an exit without a result, a
sealed pod's outcome, the cancel of a sealed pod). Events stay one line. Through the real operator."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client

import k8s_tasks
from k8s_tasks.sealing import LOG_MARKER
from tests.e2e import NAMESPACE, Operator, QueueFactory, row, wait_final
from tests.operator_e2e import logged_tasks
from tests.runner import noisy_tasks
from tests.waiting import wait_until

CANCELLED = "k8s_tasks.exceptions.TaskCancelled"


def events_of(api: client.ApiClient, job_name: str) -> list[client.CoreV1Event]:
    items: list[client.CoreV1Event] = client.CoreV1Api(api).list_namespaced_event(NAMESPACE).items
    return [e for e in items if e.involved_object.name == job_name]


def test_the_runner_stores_the_tail_on_success_and_exception(
    operator: Operator, make_queue: QueueFactory
) -> None:
    make_queue("default")
    good = noisy_tasks.talk_and_succeed.enqueue("fine")
    bad = noisy_tasks.talk_and_fail.enqueue("broken")
    assert wait_final(good.id).status == "SUCCESSFUL"
    assert wait_final(bad.id).status == "FAILED"
    for result, label in ((good, "fine"), (bad, "broken")):
        tail = k8s_tasks.details(result.id).log_tail
        for way in ("print to stdout", "print to stderr", "a subprocess", "C stdio"):
            assert f"{label}: {way}" in tail, tail


def test_oom_killed_task_keeps_what_it_said(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("highmem", resources={"limits": {"memory": "128Mi"}})
    record = wait_final(logged_tasks.say_then_hog.using(queue_name="highmem").enqueue(300).id, timeout=90)
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodOOMKilled"
    assert "allocating 300 MiB" in record.log_tail, record.log_tail  # the operator read it from the pod


def test_deadline_keeps_what_it_said(operator: Operator, make_queue: QueueFactory) -> None:
    make_queue("default", timeoutSeconds=2)
    record = wait_final(logged_tasks.say_then_sleep.enqueue(60).id, timeout=90)
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodDeadlineExceeded"
    assert "sleeping 60 s" in record.log_tail, record.log_tail


def test_exit_without_result_keeps_the_log_and_the_event_is_one_line(
    operator: Operator, make_queue: QueueFactory, api: client.ApiClient
) -> None:
    make_queue("default")
    record = wait_final(logged_tasks.say_then_exit.enqueue(3).id, timeout=90)
    assert record.errors[-1]["exception_class_path"] == "k8s_tasks.exceptions.PodFailed"
    assert "about to exit with 3" in record.log_tail and "some detail on stderr" in record.log_tail
    assert "about to exit with 3" in record.reason  # the reason still quotes the last lines
    failed = wait_until(
        lambda: [e for e in events_of(api, record.job_name) if e.reason == "TaskFailed"],
        timeout=30,
        what="the TaskFailed event",
    )
    message = failed[0].message
    assert "\n" not in message and len(message) <= 260, message
    assert message.startswith("Exited with code 3 and wrote no result.")
    assert "about to exit" not in message  # the log is in the row, not in the event
    assert message.endswith(f"(in full: python -m k8s_tasks show {record.pk})")


def test_cancelled_running_task_keeps_what_it_said(
    operator: Operator, make_queue: QueueFactory, tmp_path: Path
) -> None:
    make_queue("default")
    started = tmp_path / "started"
    result = logged_tasks.say_then_hold.enqueue(str(started), 60.0)
    wait_until(lambda: started.exists() and row(result.id).status == "RUNNING", timeout=30)
    assert k8s_tasks.cancel(result.id)
    record = wait_final(result.id, timeout=30)
    assert record.errors[-1]["exception_class_path"] == CANCELLED
    assert "working on it" in record.log_tail, record.log_tail


def test_sealed_pods_tails_are_stored_by_the_operator(
    operator: Operator, make_queue: QueueFactory, tmp_path: Path
) -> None:
    make_queue("sandbox", network="isolated")
    small = logged_tasks.say_then_return.using(queue_name="sandbox").enqueue(10)
    big = logged_tasks.say_then_return.using(queue_name="sandbox").enqueue(20_000)  # reported in its log
    started = tmp_path / "started"
    held = logged_tasks.say_then_hold.using(queue_name="sandbox").enqueue(str(started), 60.0)
    for result, size in ((small, 10), (big, 20_000)):
        record = wait_final(result.id, timeout=90)
        assert record.status == "SUCCESSFUL" and record.return_value == "r" * size, record.reason
        assert f"making a result of {size} characters" in record.log_tail, record.log_tail
        assert LOG_MARKER not in record.log_tail  # the outcome line is the row, not its log
    wait_until(lambda: started.exists() and row(held.id).status == "RUNNING", timeout=60)
    assert k8s_tasks.cancel(held.id)
    record = wait_final(held.id, timeout=60)
    assert record.errors[-1]["exception_class_path"] == CANCELLED
    assert "working on it" in record.log_tail, record.log_tail  # read before its Job was deleted
