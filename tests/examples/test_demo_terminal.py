"""The demo on a terminal (a pseudo-terminal 80 columns wide): the live table redrawn as the tasks move,
every frame truthful: no "no TaskQueue" for a queue that exists, no node on a READY row."""

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

from .conftest import DEMO

pytestmark = pytest.mark.cluster
REDRAW = re.compile(r"\x1b\[\d+F\x1b\[J")


def run_on_a_terminal(env: dict[str, str], *args: str, timeout: float = 120) -> tuple[int, str]:
    main, child = pty.openpty()
    command = [sys.executable, str(DEMO / "run_demo.py"), "--workdir", env["K8S_DEMO_WORKDIR"], *args]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=child, stderr=child, env={**env, "COLUMNS": "80"}
    )
    os.close(child)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: the demo exited and closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return process.wait(timeout=30), b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")


def test_demo_on_a_terminal(demo_env: dict[str, str]) -> None:
    code, out = run_on_a_terminal(demo_env, "--example", "01-hello", "--deadline", "90")
    assert code == 0, out[-6000:]
    frames = [frame for frame in REDRAW.split(out.split("following them", 1)[1]) if "TASK" in frame]
    assert len(frames) >= 2, out  # redrawn in place as the tasks moved
    statuses = {line.split()[3] for frame in frames for line in frame.splitlines() if line[:2] == "01"}
    assert "READY" in statuses and "SUCCESSFUL" in statuses, frames
    assert "no TaskQueue" not in out
    for frame in frames:
        for line in frame.splitlines():
            assert len(line) <= 80, line
            cells = line.split()
            if cells[:1] == ["01"] and cells[3] == "READY":
                assert len(cells) == 5, line  # EX TASK QUEUE STATUS TRY: no NODE before it ran
