"""Each example, and then the whole demo, on the local cluster with the real operator and kubectl.

These run examples/demo/run_demo.py as a subprocess exactly as `make demo` does (one example selected,
or all of them), on this run's kind of database, and check its exit status and what it printed.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEMO, EXAMPLE_NAMES

pytestmark = pytest.mark.cluster
QUEUES = ("default", "gpu", "highmem", "sandbox", "retrying", "deadline")
RUN_IN_TEST_REAL_WORK = ("03-gpu-inference", "04-transcode")  # with their outputs checked there


def run_demo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # --fast-schedules: 07's first tick comes seconds after start, not at the next whole minute.
    demo = [sys.executable, str(DEMO / "run_demo.py"), "--fast-schedules"]
    return subprocess.run(
        [*demo, "--workdir", env["K8S_DEMO_WORKDIR"], *args],
        env={name: value for name, value in env.items() if name != "COLUMNS"},  # a pipe: 80 columns
        capture_output=True,
        text=True,
        timeout=240,
    )


def check_output(output: str) -> None:
    """Not on a terminal: one final table, every line within 80 columns, no wrong waiting reason."""
    lines = output.splitlines()
    assert [line for line in lines if len(line) > 80] == []
    assert sum(1 for line in lines if line.split()[:2] == ["EX", "TASK"]) == 1
    assert "no TaskQueue" not in output


def section(output: str, command: str) -> list[str]:
    """The lines kubectl printed after `$ kubectl <command>`, up to the next blank line."""
    text = output.split(f"$ kubectl {command}\n", 1)[1]
    return text.split("\n\n", 1)[0].splitlines()


@pytest.mark.parametrize("name", [n for n in EXAMPLE_NAMES if n not in RUN_IN_TEST_REAL_WORK])
def test_example_runs_on_the_local_cluster(name: str, demo_env: dict[str, str]) -> None:
    result = run_demo(demo_env, "--example", name, "--deadline", "90")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(r"OK: all \d+ tasks ended as expected", result.stdout)
    check_output(result.stdout)


def test_whole_demo(demo_env: dict[str, str]) -> None:
    result = run_demo(demo_env)
    out = result.stdout
    assert result.returncode == 0, out[-8000:] + result.stderr[-3000:]
    assert "OK: all 15 tasks ended as expected (2 FAILED, 13 SUCCESSFUL)" in out
    check_output(out)  # the live table's states: test_demo_on_a_terminal
    queues = section(out, "get taskqueues")
    assert queues[0].split() == [
        "NAME",
        "QUEUE",
        "POOL",
        "GPUS",
        "READY",
        "RUNNING",
        "FAILED",
        "VALID",
        "AGE",
    ]
    rows = {line.split()[0]: line.split() for line in queues[1:]}
    assert sorted(rows) == sorted(QUEUES)
    assert rows["gpu"][2:4] == ["pool=gpu", "1"]
    assert rows["highmem"][2] == "pool=highmem"
    assert all(row[7] == "True" for row in rows.values())
    schedules = section(out, "get taskschedules")
    header, nightly = schedules[0], schedules[1].split()
    assert header.startswith("NAME") and "SCHEDULE" in header and nightly[0] == "nightly-report"
    for column, value in (("TIMEZONE", "Europe/Berlin"), ("VALID", "True")):  # when the width shows them
        assert column not in header or value in nightly, (header, nightly)
    jobs = section(out, "get jobs")
    assert jobs[0].split()[:3] == ["NAME", "STATUS", "COMPLETIONS"]
    statuses = [line.split()[1] for line in jobs[1:] if line.startswith("task-")]
    # One Job per attempt: 15 tasks, the retried one twice, the cancelled one's Job deleted.
    assert len(statuses) == 15
    assert statuses.count("Complete") == 13 and statuses.count("Failed") == 2  # flaky's 1st, the deadline


def processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(text.encode() in arg for arg in args):
            found.append(b" ".join(args).decode(errors="replace"))
    return found


@pytest.mark.parametrize("deadline", ["0", "0.5"])
def test_demo_out_of_time_says_so_and_leaves_nothing_running(demo_env: dict[str, str], deadline: str) -> None:
    # Whichever step the deadline falls in (set-up, or following the tasks: set-up alone takes ~1.5 s
    # here), the answer is the same.
    result = run_demo(demo_env, "--example", "01-hello", "--deadline", deadline)
    assert result.returncode == 2, result.stdout
    assert "DEMO COULD NOT RUN: timed out waiting for" in result.stdout
    assert processes_mentioning(demo_env["K8S_DEMO_WORKDIR"]) == []
