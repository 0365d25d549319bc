"""TaskFailed / TaskRetry Events: one line, at most EVENT_CHARS of the reason, then where the rest is."""

from k8s_tasks_operator.outcomes import EVENT_CHARS, event_line


def test_a_short_one_line_reason_is_the_event() -> None:
    assert event_line("OOMKilled: the container exceeded its memory limit of 64Mi", "t1") == (
        "OOMKilled: the container exceeded its memory limit of 64Mi"
    )


def test_log_lines_stay_in_the_row() -> None:
    message = "Exited with code 3 and wrote no result. Last log lines:\n" + "x" * 1024
    assert event_line(message, "t1") == (
        "Exited with code 3 and wrote no result. (in full: python -m k8s_tasks show t1)"
    )


def test_a_long_reason_is_cut_at_the_limit() -> None:
    line = event_line("ValueError: " + "y" * 1000, "t1")
    head, tail = line.split(" (in full: ")
    assert "\n" not in line and len(head) == EVENT_CHARS == 200 and head.endswith("...")
    assert tail == "python -m k8s_tasks show t1)"
