"""The runner's own output, teed: everything written to file descriptors 1 and 2 still reaches the pod's
log, and its last bytes are kept to be stored with the task's outcome (OPTIONS["LOG_TAIL_BYTES"]).

File descriptors, not ``sys.stdout``: output of subprocesses and of C code (which write to fd 1 and 2
directly) is caught too. Each descriptor is replaced by the write end of a pipe; one thread reads both
pipes, forwards every byte to the original descriptor (stdout stays stdout, stderr stays stderr) and
feeds a TailBuffer. ``tail()`` returns what was written up to the moment it is called: it flushes
Python's streams and waits (briefly) until the pipes are empty.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import selectors
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .logtail import TailBuffer

READ_SIZE = 65536
DRAIN_SECONDS = 1.0  # how long tail() waits for the pipes to be read before it answers anyway


def _pending(fd: int) -> int:
    """Bytes waiting in a pipe (FIONREAD)."""
    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    count: int = struct.unpack("i", raw)[0]
    return count


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class OutputTee:
    """Tee file descriptors ``fds`` (stdout and stderr) into a TailBuffer of ``limit`` bytes."""

    def __init__(self, limit: int, fds: tuple[int, ...] = (1, 2)) -> None:
        self.buffer = TailBuffer(limit)
        self._fds = fds
        self._saved: dict[int, int] = {}  # fd -> a duplicate of what it was (where output is forwarded)
        self._pipes: dict[int, int] = {}  # read end -> the fd it stands in for
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._forward_ok: dict[int, bool] = {}

    def start(self) -> OutputTee:
        _flush()
        for fd in self._fds:
            read_end, write_end = os.pipe()
            self._saved[fd] = os.dup(fd)
            os.dup2(write_end, fd)  # fd stays inheritable: subprocesses write into the pipe too
            os.close(write_end)
            self._pipes[read_end] = fd
            self._forward_ok[fd] = True
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._pump, name="k8s-tasks-tee", daemon=True)
        self._thread.start()
        return self

    def _read(self, read_end: int) -> bytes:
        with self._lock:  # tail() takes the lock: a chunk read is in the buffer before it answers
            data = os.read(read_end, READ_SIZE)
            self.buffer.feed(data)
        return data

    def _forward(self, fd: int, data: bytes) -> None:
        if not self._forward_ok[fd]:
            return
        try:
            _write_all(self._saved[fd], data)
        except OSError:  # the log reader went away: keep the tail, stop forwarding
            self._forward_ok[fd] = False

    def _pump(self) -> None:
        selector = selectors.DefaultSelector()
        for read_end in self._pipes:
            selector.register(read_end, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        stopping = False
        while selector.get_map():
            ready = selector.select(timeout=0 if stopping else None)
            if not ready and stopping:
                break  # drained: what a lingering subprocess writes later is not kept
            for key, _ in ready:
                if key.fd == self._wake_r:
                    selector.unregister(self._wake_r)
                    stopping = True
                    continue
                data = self._read(key.fd)
                if data:
                    self._forward(self._pipes[key.fd], data)
                else:
                    selector.unregister(key.fd)
        selector.close()

    def tail(self) -> str:
        """The output's last bytes so far, as text."""
        _flush()
        deadline = time.monotonic() + DRAIN_SECONDS
        while any(_pending(read_end) for read_end in self._pipes) and time.monotonic() < deadline:
            time.sleep(0.001)
        with self._lock:
            return self.buffer.text()

    def stop(self) -> None:
        """Give the descriptors back, then read what is left in the pipes."""
        _flush()
        for fd, saved in self._saved.items():
            os.dup2(saved, fd)
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=5)
        for fd in (*self._saved.values(), *self._pipes, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._saved.clear()


@contextmanager
def captured_output(limit: int) -> Iterator[Callable[[], str | None]]:
    """Within the block, fds 1 and 2 are teed; yields a function that returns the output's tail so far
    (None when ``limit`` is 0: nothing is kept, and nothing is teed)."""
    if limit <= 0:
        yield lambda: None
        return
    tee = OutputTee(limit).start()
    try:
        yield tee.tail
    finally:
        tee.stop()
