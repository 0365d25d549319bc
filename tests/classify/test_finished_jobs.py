"""classify_job on finished Jobs: each failure class, with the message a person reads and its retry kind."""

import importlib

import pytest

from k8s_tasks.profiles import parse_profile
from k8s_tasks_operator.classify import Outcome, classify_job, deciding_pod

from .objects import (
    BACKOFF,
    DEADLINE,
    SCHEDULER,
    disruption,
    job,
    pod,
    running,
    terminated,
    unschedulable,
    waiting,
)

HIGHMEM = parse_profile("highmem", {"resources": {"limits": {"memory": "64Mi"}}, "timeoutSeconds": 30})


def check(result: Outcome | None, kind: str, retry: str | None) -> Outcome:
    assert result is not None
    assert (result.kind, result.retry) == (kind, retry), result
    assert result.exception_class_path == f"k8s_tasks.exceptions.{kind}"
    return result


def test_oom_killed_names_the_limit_and_the_queue() -> None:
    found = classify_job(job(BACKOFF), [pod(state=terminated(137, "OOMKilled"))], HIGHMEM)
    result = check(found, "PodOOMKilled", "task")
    assert result.message == "OOMKilled: the container exceeded its memory limit of 64Mi (queue highmem)"


def test_oom_killed_without_a_profile_reads_the_pod() -> None:
    found = classify_job(job(BACKOFF), [pod(state=terminated(137, "OOMKilled"), memory_limit="1Gi")], None)
    assert check(found, "PodOOMKilled", "task").message.endswith("memory limit of 1Gi (queue highmem)")


def test_oom_killed_without_any_limit() -> None:
    profile = parse_profile("highmem", {})
    found = classify_job(job(BACKOFF), [pod(state=terminated(137, "OOMKilled"), memory_limit=None)], profile)
    assert "no memory limit is set" in check(found, "PodOOMKilled", "task").message


def test_deadline_exceeded_names_the_timeout() -> None:
    found = classify_job(job(DEADLINE, deadline=30), [pod(state=terminated(143))], HIGHMEM)
    result = check(found, "PodDeadlineExceeded", "task")
    assert result.message == "Deadline exceeded: the task ran longer than timeoutSeconds=30"


def test_deadline_exceeded_after_the_pod_is_gone() -> None:
    found = classify_job(job(DEADLINE, deadline=30), [], HIGHMEM)
    check(found, "PodDeadlineExceeded", "task")


def test_deadline_hit_while_still_pending_is_reported_as_unschedulable() -> None:
    pending = pod(phase="Pending", node=None, conditions=[unschedulable()])
    found = classify_job(job(DEADLINE, deadline=30), [pending], HIGHMEM)
    result = check(found, "PodUnschedulable", None)
    assert "timeoutSeconds=30" in result.message
    assert SCHEDULER in result.message


def test_node_pressure_eviction() -> None:
    message = (
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 92Mi. Container task "
        "was using 1Gi, request is 0, has larger consumption of memory. "
    )
    evicted = pod(
        state=terminated(137),
        reason="Evicted",
        message=message,
        conditions=[disruption("TerminationByKubelet", message)],
        node="worker-2",
    )
    result = check(classify_job(job(BACKOFF), [evicted], HIGHMEM), "PodEvicted", "infrastructure")
    assert result.message == f"Evicted from node worker-2: {message}"


def test_node_pressure_eviction_without_the_condition() -> None:
    evicted = pod(
        state=terminated(137), reason="Evicted", message="The node was low on resource: ephemeral-storage."
    )
    result = check(classify_job(job(BACKOFF), [evicted], HIGHMEM), "PodEvicted", "infrastructure")
    assert "low on resource: ephemeral-storage" in result.message


def test_eviction_api() -> None:
    evicted = pod(
        state=terminated(143), conditions=[disruption("EvictionByEvictionAPI", "Eviction API: evicting")]
    )
    result = check(classify_job(job(BACKOFF), [evicted], HIGHMEM), "PodEvicted", "infrastructure")
    assert result.message == "Evicted from node worker-highmem-1: Eviction API: evicting"


def test_preemption() -> None:
    message = "default-scheduler: preempting to accommodate a higher priority pod"
    preempted = pod(state=terminated(143), conditions=[disruption("PreemptionByScheduler", message)])
    result = check(classify_job(job(BACKOFF), [preempted], HIGHMEM), "PodPreempted", "infrastructure")
    assert result.message == f"Preempted on node worker-highmem-1: {message}"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint"),
        ("DeletionByPodGC", "PodGC: node no longer exists"),
    ],
)
def test_node_lost(reason: str, message: str) -> None:
    lost = pod(state=running(), conditions=[disruption(reason, message)], node="worker-gpu-1")
    result = check(classify_job(job(BACKOFF), [lost], HIGHMEM), "NodeLost", "infrastructure")
    assert result.message == f"Node worker-gpu-1 was lost: {message}"


def test_graceful_node_shutdown() -> None:
    message = "Pod was terminated in response to imminent node shutdown."
    shut = pod(
        state=terminated(143),
        reason="Terminated",
        message=message,
        conditions=[disruption("TerminationByKubelet", message)],
    )
    result = check(classify_job(job(BACKOFF), [shut], HIGHMEM), "PodTerminated", "infrastructure")
    assert message in result.message


def test_kubelet_admission_rejection_is_retried_on_infrastructure() -> None:
    rejected = pod(
        state=None,
        reason="OutOfnvidia.com/gpu",
        message="Node didn't have enough resource: nvidia.com/gpu, requested: 1, used: 1, capacity: 1",
        node="worker-gpu-1",
    )
    result = check(classify_job(job(BACKOFF), [rejected], HIGHMEM), "PodFailed", "infrastructure")
    assert result.message.startswith("Rejected by node worker-gpu-1: OutOfnvidia.com/gpu: Node didn't have")


def test_non_zero_exit_with_log_tail() -> None:
    logs = "\n".join(f"line {i}" for i in range(100)) + "\nValueError: bad video id\n"
    failed = pod(state=terminated(3))
    result = check(classify_job(job(BACKOFF), [failed], HIGHMEM, log_tail=logs), "PodFailed", "task")
    assert result.message.startswith("Exited with code 3 and wrote no result. Last log lines:\n")
    assert result.message.endswith("ValueError: bad video id")
    assert "line 81" in result.message and "line 80" not in result.message  # the last 20 lines only


def test_non_zero_exit_falls_back_to_the_termination_message() -> None:
    failed = pod(state=terminated(1, message="Traceback (most recent call last):\nKeyError: 'x'"))
    result = check(classify_job(job(BACKOFF), [failed], HIGHMEM), "PodFailed", "task")
    assert result.message.endswith("KeyError: 'x'")


def test_non_zero_exit_without_any_output() -> None:
    result = check(classify_job(job(BACKOFF), [pod(state=terminated(2))], HIGHMEM), "PodFailed", "task")
    assert result.message == "Exited with code 2 and wrote no result. It wrote no log output."


@pytest.mark.parametrize(("code", "name"), [(137, "SIGKILL"), (143, "SIGTERM"), (139, "SIGSEGV")])
def test_killed_by_a_signal(code: int, name: str) -> None:
    result = check(
        classify_job(job(BACKOFF), [pod(state=terminated(code))], HIGHMEM), "PodTerminated", "task"
    )
    assert result.message.startswith(f"Killed by {name} (exit code {code}) and wrote no result.")


def test_complete_job_whose_pod_wrote_nothing() -> None:
    done = pod(phase="Succeeded", state=terminated(0, "Completed"))
    result = check(classify_job(job(complete=True), [done], HIGHMEM), "PodFailed", "task")
    assert result.message.startswith("Exited with code 0 and wrote no result.")


def test_failed_job_whose_pod_is_gone() -> None:
    result = check(classify_job(job(BACKOFF), [], HIGHMEM), "PodFailed", "task")
    assert "BackoffLimitExceeded: Job has reached the specified backoff limit" in result.message
    assert "pod is gone" in result.message


def test_image_pull_failure_of_a_failed_job() -> None:
    stuck = pod(
        phase="Pending", state=waiting("ImagePullBackOff", 'Back-off pulling image "foo:1"'), image="foo:1"
    )
    result = check(classify_job(job(BACKOFF), [stuck], HIGHMEM), "ImagePullFailed", None)
    assert (
        result.message == "Image pull failed for 'foo:1': ImagePullBackOff: Back-off pulling image \"foo:1\""
    )


def test_pod_that_never_started() -> None:
    pending = pod(phase="Pending", node=None, conditions=[unschedulable()])
    result = check(classify_job(job(BACKOFF), [pending], HIGHMEM), "PodUnschedulable", None)
    assert result.message == f"The pod never started: Unschedulable: {SCHEDULER}"


def test_the_first_pod_that_failed_decides() -> None:
    # backoffLimit 0: the first failure failed the Job; a later pod (a replacement racing it) is noise
    first = pod(state=terminated(137, "OOMKilled"), name="a", created="2026-11-28T09:00:00Z")
    later = pod(state=terminated(143), name="b", created="2026-11-28T10:00:00Z")
    check(classify_job(job(BACKOFF), [later, first], HIGHMEM), "PodOOMKilled", "task")
    assert deciding_pod([later, first]) is first


def test_a_pod_with_a_cause_beats_one_merely_stopped() -> None:
    stopped = pod(state=terminated(143), name="a", created="2026-11-28T10:00:00Z")
    evicted = pod(
        state=terminated(143),
        name="b",
        created="2026-11-28T10:00:00Z",
        conditions=[disruption("EvictionByEvictionAPI", "Eviction API: evicting")],
    )
    assert deciding_pod([stopped, evicted]) is evicted
    check(classify_job(job(BACKOFF), [stopped, evicted], HIGHMEM), "PodEvicted", "infrastructure")


def test_without_a_failed_pod_the_newest_decides() -> None:
    old = pod(phase="Pending", state=waiting("ContainerCreating"), name="a", created="2026-11-28T09:00:00Z")
    new = pod(phase="Running", state=running(), name="b", created="2026-11-28T10:00:00Z")
    assert deciding_pod([new, old]) is new
    assert deciding_pod([]) is None


def test_a_pod_that_ended_decides_over_a_newer_one_still_running() -> None:
    evicted = pod(
        state=terminated(143), conditions=[disruption("EvictionByEvictionAPI", "Eviction API: evicting")]
    )
    replacement = pod(phase="Running", state=running(), name="z", created="2026-11-28T11:00:00Z")
    check(classify_job(job(BACKOFF), [replacement, evicted], HIGHMEM), "PodEvicted", "infrastructure")


def test_running_job_is_not_decided() -> None:
    assert classify_job(job(), [pod(phase="Running", state=running())], HIGHMEM) is None
    assert classify_job(job(), [], HIGHMEM) is None


KINDS = [
    "PodOOMKilled",
    "PodDeadlineExceeded",
    "PodEvicted",
    "PodPreempted",
    "NodeLost",
    "ImagePullFailed",
    "ContainerConfigError",
    "PodUnschedulable",
    "PodFailed",
    "PodTerminated",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_class_path_names_a_real_exception(kind: str) -> None:
    module = importlib.import_module("k8s_tasks.exceptions")
    assert issubclass(getattr(module, kind), Exception)
