"""Tasks that write output every way a task can: Python's print (stdout and stderr), the file descriptors
directly, a subprocess, and C code (libc's stdio). Task pods import them by path."""

import ctypes
import os
import subprocess
import sys

from k8s_tasks.compat import task


def _all_ways(label: str) -> None:
    print(f"{label}: print to stdout")
    print(f"{label}: print to stderr", file=sys.stderr)
    os.write(1, f"{label}: os.write to fd 1\n".encode())
    subprocess.run(["sh", "-c", f"echo '{label}: a subprocess'; echo '{label}: its stderr' >&2"], check=True)
    libc = ctypes.CDLL(None)
    libc.puts(f"{label}: C stdio".encode())
    libc.fflush(None)


@task()
def talk_and_succeed(label: str) -> str:
    _all_ways(label)
    return label


@task()
def talk_and_fail(label: str) -> None:
    _all_ways(label)
    raise RuntimeError(f"{label}: failed on purpose")


@task()
def flood(lines: int) -> int:
    """Prints `lines` numbered lines, then a last one: far more than any log tail keeps."""
    for number in range(lines):
        print(f"line {number:08d} " + "x" * 60)
    print("the last line")
    return lines


@task()
def binary_noise() -> str:
    """Bytes that are not UTF-8, a NUL and a cut multi-byte character: stored as text nonetheless."""
    sys.stdout.flush()
    os.write(1, b"before \xff\xfe nul:\x00 after \xe2\x82\n")
    return "ok"


@task()
def say_then_crash(how: str) -> None:
    """Says its last words, then dies at once: os._exit(3), or a segfault (SIGSEGV) in C code."""
    print(f"last words before {how}", flush=True)
    if how == "exit":
        os._exit(3)
    ctypes.string_at(0)  # reads address 0: SIGSEGV


@task()
def hold_forever(path: str) -> None:
    """Creates `path`, then runs until killed."""
    with open(path, "w") as handle:
        handle.write(str(os.getpid()))
    while True:
        ctypes.CDLL(None).sleep(1)
