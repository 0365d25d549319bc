"""The sealed-pod protocol (k8s_tasks.sealing): pure, no cluster."""

from __future__ import annotations

import pytest

from k8s_tasks.sealing import (
    LOG_MARKER,
    MAX_TERMINATION_MESSAGE,
    Outcome,
    ProtocolError,
    TaskPayload,
    check_own,
    decode,
    encode,
    points_to_log,
)

PAYLOAD = TaskPayload(
    id="t1",
    attempt=2,
    task_path="a.b.c",
    queue_name="sandbox",
    backend="default",
    priority=0,
    args=[1, "x"],
    kwargs={"k": [1]},
    enqueued_at="2026-12-05T08:00:00+00:00",
)


def test_a_payload_round_trips_and_a_foreign_document_is_refused() -> None:
    assert TaskPayload.from_json(PAYLOAD.to_json()) == PAYLOAD
    with pytest.raises(ProtocolError, match="not a k8s-tasks task"):
        TaskPayload.from_json(b'{"id": "t1"}')
    with pytest.raises(ProtocolError, match="not JSON"):
        TaskPayload.from_json(b"\x00")


def test_a_small_outcome_goes_in_the_termination_message() -> None:
    outcome = Outcome("t1", 2, "SUCCESSFUL", return_value={"clean": True})
    message, line = encode(outcome)
    assert line is None and len(message.encode()) <= MAX_TERMINATION_MESSAGE
    assert decode(message) == outcome and not points_to_log(message)


def test_a_large_outcome_goes_in_the_log_and_the_message_points_to_it() -> None:
    outcome = Outcome("t1", 2, "SUCCESSFUL", return_value="x" * 100_000)
    message, line = encode(outcome)
    assert line is not None and line.startswith(LOG_MARKER) and points_to_log(message)
    assert len(message.encode()) < 300
    assert decode(message, f"some output\n{line}\n") == outcome
    forged = LOG_MARKER + "eyJrOHMtdGFza3Mtb3V0Y29tZSI6IDF9"
    with pytest.raises(ProtocolError, match="SHA-256"):
        decode(message, f"{line}\n{forged}\n")  # a later line of the task's own making is not the outcome
    with pytest.raises(ProtocolError, match="has none"):
        decode(message, "nothing\n")


def test_a_pod_reports_on_its_own_attempt_only() -> None:
    check_own(Outcome("t1", 2, "FAILED"), "t1", 2)
    for other in (Outcome("victim", 2, "SUCCESSFUL"), Outcome("t1", 1, "SUCCESSFUL")):
        with pytest.raises(ProtocolError, match="its own attempt only"):
            check_own(other, "t1", 2)


def test_malformed_outcomes_are_refused() -> None:
    for message in (
        "not json",
        '{"k8s-tasks-outcome": 1, "id": "t1"}',
        '{"k8s-tasks-outcome": 1, "id": "t1", "attempt": 1, "status": "MAYBE"}',
        '{"k8s-tasks-outcome": 2}',
    ):
        with pytest.raises(ProtocolError):
            decode(message)
