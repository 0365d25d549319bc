"""The log tail's pieces: the bounded buffer, the text it becomes, the tee of fds 1 and 2, the setting, and
the outcome's UPDATE that stores it."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from k8s_tasks.backend import KubernetesBackend
from k8s_tasks.conf import DEFAULT_LOG_TAIL_BYTES, get_options
from k8s_tasks.logtail import TailBuffer, clip, tail_text
from k8s_tasks.models import TaskRecord
from tests import tasks

ROOT = Path(__file__).resolve().parents[2]


def fed(limit: int, *chunks: bytes) -> TailBuffer:
    buffer = TailBuffer(limit)
    for chunk in chunks:
        buffer.feed(chunk)
    return buffer


@pytest.mark.parametrize("size", [1, 7, 64, 4096])
def test_the_buffer_keeps_exactly_the_last_bytes_whatever_the_chunks(size: int) -> None:
    stream = b"".join(f"line {n}\n".encode() for n in range(3000))
    chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
    buffer = fed(1000, *chunks)
    assert buffer.data() == stream[-1000:] and buffer.total == len(stream)
    assert len(buffer._before) <= 2000 and len(buffer._last) <= 2000  # bounded memory


def test_the_buffer_can_leave_out_a_long_last_line_by_its_prefix() -> None:
    marker = b"K8S-TASKS-OUTCOME " + b"A" * 50_000 + b"\n"
    buffer = fed(100, b"one\ntwo\n", marker[:10], marker[10:30_000], marker[30_000:])
    assert buffer.data(b"K8S-TASKS-OUTCOME ") == b"one\ntwo\n"
    assert buffer.data() == marker[-100:]
    assert fed(100, b"one\n", b"two\n").data(b"K8S-TASKS-OUTCOME ") == b"one\ntwo\n"  # no marker: all


def test_text_drops_a_cut_character_replaces_bad_bytes_and_nul() -> None:
    euro = "€".encode()  # 3 bytes
    assert tail_text(euro[1:] + b"ok") == "ok"
    assert tail_text(b"a\xffb\x00c") == "a\ufffdb\ufffdc"
    assert clip("ab€cd", 4) == "cd"  # the last 4 bytes start inside the euro sign: it is dropped
    assert clip("ab€cd", 5) == "€cd" and clip("x", 0) == "" and clip("short", 100) == "short"


TEE_SCRIPT = """
import os, subprocess, sys
from k8s_tasks.tee import captured_output, supervise
supervise()
with captured_output(int(sys.argv[1])) as tail:
    print("python stdout")
    print("python stderr", file=sys.stderr)
    os.write(1, b"fd one\\n")
    subprocess.run(["sh", "-c", "echo child out; echo child err >&2"], check=True)
    first = tail()
    print("after the first look")
    second = tail()
print("outside")
sys.stderr.write(repr((first, second)) + "\\n")
"""


def test_the_tee_keeps_fds_1_and_2_and_forwards_each_to_where_it_went() -> None:
    done = subprocess.run(
        [sys.executable, "-c", TEE_SCRIPT, "4096"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "python stdout\nfd one\nchild out\nafter the first look\noutside\n"
    first, second = eval(done.stderr.splitlines()[-1])
    assert done.stderr.splitlines()[:2] == ["python stderr", "child err"]
    for line in ("python stdout", "python stderr", "fd one", "child out", "child err"):
        assert line in first
    assert "after the first look" not in first and second.endswith("after the first look\n")
    assert "outside" not in second


def test_a_limit_of_0_asks_for_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", TEE_SCRIPT, "0"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stderr.splitlines()[-1] == "(None, None)"


@pytest.mark.django_db
def test_the_outcome_and_its_tail_are_one_update() -> None:
    record = TaskRecord.objects.get(pk=tasks.add.enqueue(1, 2).id)
    assert record.set_running("pod", 1)
    with CaptureQueriesContext(connection) as queries:
        assert record.set_successful(3, log_tail="adding\n")
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "log_tail" in updates[0]
    assert TaskRecord.objects.get(pk=record.pk).log_tail == "adding\n"


def test_log_tail_bytes_option_default_and_validation() -> None:
    assert get_options().log_tail_bytes == DEFAULT_LOG_TAIL_BYTES == 16384
    assert (
        KubernetesBackend("x", {"QUEUES": [], "OPTIONS": {"LOG_TAIL_BYTES": 0}}).options_parsed.log_tail_bytes
        == 0
    )
    ceiling = KubernetesBackend("x", {"QUEUES": ["q"], "OPTIONS": {"LOG_TAIL_BYTES": 1048576}})
    assert ceiling.options_parsed.log_tail_bytes == 1048576 and ceiling.check() == []
    for bad in (-1, "16k", True, 1048577):
        messages = [
            m for m in KubernetesBackend("x", {"QUEUES": ["q"], "OPTIONS": {"LOG_TAIL_BYTES": bad}}).check()
        ]
        assert [m.id for m in messages] == ["k8s_tasks.E002"], bad
        assert f"['LOG_TAIL_BYTES'] is {bad!r}" in messages[0].msg and "from 0" in messages[0].msg
