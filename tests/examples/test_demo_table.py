"""The demo's output fits its width (80 columns when not on a terminal), and a READY row does not claim a
node: its task has not started there."""

from demo_driver.plan import Expect, Outcome, Planned
from demo_driver.table import fit_line, fit_table, render

LONG = "PodDeadlineExceeded: Deadline exceeded: the task ran longer than timeoutSeconds=3 " * 2


def plan() -> list[Planned]:
    return [
        Planned("06-retries-timeouts-cancel", "slow, 3s timeout", "id-1", "deadline", Expect("FAILED")),
        Planned("01-hello", "greet", "id-2", "default", Expect("SUCCESSFUL")),
        Planned("07-nightly-report", "nightly-report @ 10:03", "id-3", "default", Expect("SUCCESSFUL")),
    ]


def outcomes() -> dict[str, Outcome]:
    return {
        "id-1": Outcome("FAILED", 1, LONG, job_name="task-1-1", node="general-1"),
        "id-2": Outcome("READY", 1, "", job_name="task-2-1", node="general-1"),
    }


def test_at_80_columns_detail_goes_under_its_row_whole() -> None:
    lines = render(plan(), outcomes(), 80).splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert lines[0].split() == ["EX", "TASK", "QUEUE", "STATUS", "TRY", "NODE"]
    assert lines[1].split() == ["06", "slow,", "3s", "timeout", "deadline", "FAILED", "1", "general-1"]
    detail = " ".join(line.strip() for line in lines[2:4])
    assert detail.startswith(
        "PodDeadlineExceeded: Deadline exceeded: the task ran longer than timeoutSeconds=3"
    )


def test_a_ready_row_shows_no_node_and_says_its_pod_is_starting() -> None:
    lines = render(plan(), outcomes(), 80).splitlines()
    ready = lines.index(next(line for line in lines if line.startswith("01")))
    assert lines[ready].split() == ["01", "greet", "default", "READY", "1"]  # no NODE
    assert lines[ready + 1].strip() == "Job created, its pod is starting on general-1"
    assert lines[ready + 2].split()[-1] == "-" and lines[ready + 3].strip() == "row not found"


def test_wide_enough_detail_stays_beside_its_row() -> None:
    lines = render(plan(), outcomes(), 140).splitlines()
    assert lines[0].split()[0] == "EXAMPLE" and lines[0].split()[-1] == "DETAIL"
    assert len(lines) == 4 and all(len(line) <= 140 for line in lines)
    assert lines[1].endswith("...")  # clipped to the room left


def test_kubectl_tables_fit_keeping_their_columns_aligned() -> None:
    # As kubectl printed them in a demo run.
    text = (
        "NAME             SCHEDULE    TIMEZONE        SUSPEND   ACTIVE   LAST SCHEDULE   NEXT                "
        "   VALID   AGE\n"
        "nightly-report   * * * * *   Europe/Berlin   false     0        3s              2026-12-05T10:07:00Z"
        "   True    58s"
    )
    fitted, dropped = fit_table(text, 80)
    assert dropped == ["AGE", "NEXT"]
    lines = fitted.splitlines()
    assert lines[0].split() == [
        "NAME",
        "SCHEDULE",
        "TIMEZONE",
        "SUSPEND",
        "ACTIVE",
        "LAST",
        "SCHEDULE",
        "VALID",
    ]
    assert lines[1].index("True") == lines[0].index("VALID") and all(len(line) <= 80 for line in lines)
    assert fit_table("NAME   AGE\nx      1s", 80) == ("NAME   AGE\nx      1s", [])


def test_long_lines_of_its_own_wrap() -> None:
    line = "k8s-tasks demo: examples " + ", ".join(f"0{i}-an-example-name" for i in range(7))
    wrapped = fit_line(line, 80).splitlines()
    assert all(len(part) <= 80 for part in wrapped) and wrapped[1].startswith("  0")
