"""Pods that have not started: the reason shown on the row, fail-fast cases, and maxPendingSeconds."""

from datetime import UTC, datetime, timedelta

import pytest

from k8s_tasks.profiles import parse_profile
from k8s_tasks_operator.classify import classify_job, is_hopeless_waiting, pending_expired, pending_reason

from .objects import SCHEDULER, job, pod, running, unschedulable, waiting

PULL_NOT_FOUND = (
    'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/foo:1": failed to '
    'resolve reference "docker.io/library/foo:1": docker.io/library/foo:1: not found'
)
PULL_RATE_LIMIT = (
    'failed to pull and unpack image "docker.io/library/foo:1": failed to copy: httpReadSeeker: failed open: '
    "unexpected status code 429 Too Many Requests - toomanyrequests: You have reached your pull rate limit."
)


def test_scheduler_message_is_the_pending_reason() -> None:
    pending = pod(phase="Pending", node=None, conditions=[unschedulable()])
    assert pending_reason(pending) == f"Unschedulable: {SCHEDULER}"


def test_waiting_container_reason() -> None:
    scheduled = {"type": "PodScheduled", "status": "True"}
    creating = pod(phase="Pending", state=waiting("ContainerCreating"), conditions=[scheduled])
    assert pending_reason(creating) == "ContainerCreating"
    pulling = pod(phase="Pending", state=waiting("ErrImagePull", PULL_NOT_FOUND), conditions=[scheduled])
    assert pending_reason(pulling) == f"ErrImagePull: {PULL_NOT_FOUND}"


def test_no_pending_reason_for_a_running_pod_or_a_fresh_one() -> None:
    assert pending_reason(pod(phase="Running", state=running())) is None
    assert pending_reason(pod(phase="Pending", node=None)) is None


def test_init_container_waiting_counts() -> None:
    pending = pod(phase="Pending")
    pending["status"]["initContainerStatuses"] = [
        {
            "name": "fetch",
            "image": "busybox",
            "state": waiting("PodInitializing"),
            "ready": False,
            "restartCount": 0,
        }
    ]
    assert pending_reason(pending) == "PodInitializing"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("ErrImagePull", PULL_NOT_FOUND),
        ("ImagePullBackOff", 'Back-off pulling image "foo:1"'),
        ("InvalidImageName", 'Failed to apply default image tag "Foo:1": invalid reference format'),
    ],
)
def test_bad_images_fail_fast(reason: str, message: str) -> None:
    result = is_hopeless_waiting(pod(phase="Pending", state=waiting(reason, message), image="foo:1"))
    assert result is not None
    assert (result.kind, result.retry) == ("ImagePullFailed", None)
    assert result.message == f"Image pull failed for 'foo:1': {reason}: {message}"


def test_a_rate_limited_pull_is_an_infrastructure_retry() -> None:
    result = is_hopeless_waiting(pod(phase="Pending", state=waiting("ErrImagePull", PULL_RATE_LIMIT)))
    assert result is not None
    assert (result.kind, result.retry) == ("ImagePullFailed", "infrastructure")


def test_missing_secret_is_a_config_error() -> None:
    message = 'secret "db-credentials" not found'
    result = is_hopeless_waiting(pod(phase="Pending", state=waiting("CreateContainerConfigError", message)))
    assert result is not None
    assert (result.kind, result.exception_class_path, result.retry) == (
        "ContainerConfigError",
        "k8s_tasks.exceptions.ContainerConfigError",
        None,
    )
    assert result.message == f"Container 'task' cannot be created: CreateContainerConfigError: {message}"


@pytest.mark.parametrize("state", [waiting("ContainerCreating"), running(), None])
def test_ordinary_states_are_not_hopeless(state: dict | None) -> None:
    assert is_hopeless_waiting(pod(phase="Pending", state=state)) is None


def test_classify_job_reports_a_hopeless_pod_of_a_running_job() -> None:
    stuck = pod(phase="Pending", state=waiting("ErrImagePull", PULL_NOT_FOUND))
    result = classify_job(job(), [stuck], None)
    assert result is not None and result.kind == "ImagePullFailed"


def test_pending_expired() -> None:
    profile = parse_profile("gpu", {"maxPendingSeconds": 120})
    since = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert not pending_expired(since, since + timedelta(seconds=120), profile)
    assert pending_expired(since, since + timedelta(seconds=121), profile)
    assert not pending_expired(
        since, since + timedelta(days=9), parse_profile("q", {"maxPendingSeconds": None})
    )
    assert pending_expired(since, since + timedelta(seconds=601), parse_profile("q", {}))  # the default, 600
