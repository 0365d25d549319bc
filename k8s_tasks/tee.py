"""The task pod's output, teed: everything the task writes to file descriptors 1 and 2 (print, logging,
subprocesses, C code) still reaches the pod's log, stdout as stdout and stderr as stderr, and its last
bytes are kept, to be stored with the task's outcome (OPTIONS["LOG_TAIL_BYTES"]).

``supervise()``, called by the pod's entrypoint before Django is set up, forks. The child returns and runs
the task, its fds 1 and 2 the write ends of two pipes. The parent (PID 1 in the container) stays small and
does only this: it forwards every byte to the original descriptors, feeds a TailBuffer, answers the
child's requests for the tail (``captured_output``), passes on the signals it receives (SIGTERM from the
kubelet), and exits with the child's status (128 + N if a signal N killed it) once the child has exited
and what was in the pipes is forwarded. So a task that dies abruptly (os._exit, a segfault, the OOM killer
choosing it) loses none of its last lines: they are in the pipes, and the parent outlives the child. The
child dies with the parent (PR_SET_PDEATHSIG): killing the runner kills the task, as before.

A tail request is exact: the child's writes before it are in the pipes when the request arrives, and the
parent reads that many bytes (FIONREAD) before it answers.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import importlib
import os
import selectors
import signal
import struct
import sys
import termios
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn

from .logtail import DEFAULT_LIMIT, TailBuffer, tail_text

READ_SIZE = 65536
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
INITIAL_LIMIT = 1024 * 1024  # the tail kept until the child says how much its backend keeps (conf ceiling)
_MESSAGE = struct.Struct("!cQ")  # the child's requests: b"L" + limit, or b"T" (the tail, please)
_LENGTH = struct.Struct("!Q")
PR_SET_PDEATHSIG = 1


def _pending(fd: int) -> int:
    """Bytes waiting in a pipe (FIONREAD)."""
    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    count: int = struct.unpack("i", raw)[0]
    return count


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the output's supervisor is gone")
        data += chunk
    return bytes(data)


class _Supervisor:
    """The parent: forwards and keeps the output, answers the child, waits for it."""

    def __init__(self, child: int, pipes: dict[int, int], requests: int, replies: int) -> None:
        self.child, self.pipes = child, pipes  # read end -> the original descriptor it stands in for
        self.requests, self.replies = requests, replies
        self.buffer = TailBuffer(INITIAL_LIMIT)
        self.forwarding = dict.fromkeys(pipes.values(), True)

    def _read(self, read_end: int, size: int = READ_SIZE) -> bool:
        data = os.read(read_end, size)
        if not data:
            return False
        self.buffer.feed(data)
        target = self.pipes[read_end]
        if self.forwarding[target]:
            try:
                _write_all(target, data)
            except OSError:  # whoever read the log went away: keep the tail, stop forwarding
                self.forwarding[target] = False
        return True

    def _answer(self, message: bytes) -> None:
        op, value = _MESSAGE.unpack(message)
        if op == b"L":
            self.buffer.limit = value
            return
        for read_end in self.pipes:  # what the child wrote before asking is in the pipes now
            left = _pending(read_end)
            while left > 0 and self._read(read_end, min(left, READ_SIZE)):
                left = _pending(read_end)
        data = self.buffer.data()
        with contextlib.suppress(OSError):
            _write_all(self.replies, _LENGTH.pack(len(data)) + data)

    def serve(self) -> NoReturn:
        for signum in FORWARDED:
            signal.signal(signum, lambda signum, frame: self._pass_on(signum))
        selector = selectors.DefaultSelector()
        for read_end in [*self.pipes, self.requests]:
            selector.register(read_end, selectors.EVENT_READ)
        pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):  # without a pidfd (old kernel): every 50 ms
            pidfd = os.pidfd_open(self.child)
            selector.register(pidfd, selectors.EVENT_READ)
        status: int | None = None
        while status is None:
            for key, _ in selector.select(timeout=None if pidfd is not None else 0.05):
                if key.fd == self.requests:
                    message = os.read(self.requests, _MESSAGE.size)
                    if len(message) == _MESSAGE.size:
                        self._answer(message)
                    elif not message:
                        selector.unregister(self.requests)
                elif key.fd in self.pipes and not self._read(key.fd):
                    selector.unregister(key.fd)  # every writer is gone
            done, raw = os.waitpid(self.child, os.WNOHANG)
            status = raw if done else None
        for read_end in self.pipes:  # the rest: what is there now (a lingering grandchild may write on)
            left = _pending(read_end)
            while left > 0 and self._read(read_end, min(left, READ_SIZE)):
                left -= READ_SIZE
        code = os.waitstatus_to_exitcode(status)
        os._exit(128 - code if code < 0 else code)

    def _pass_on(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.child, signum)


class _Client:
    """The child's side: tells the parent the limit, asks it for the tail."""

    def __init__(self, requests: int, replies: int) -> None:
        self.requests, self.replies = requests, replies

    def set_limit(self, limit: int) -> None:
        with contextlib.suppress(OSError):
            os.write(self.requests, _MESSAGE.pack(b"L", limit))

    def tail(self) -> str | None:
        """The output's last bytes so far, as text (None if the parent cannot answer)."""
        _flush()
        try:
            os.write(self.requests, _MESSAGE.pack(b"T", 0))
            (size,) = _LENGTH.unpack(_read_exactly(self.replies, _LENGTH.size))
            return tail_text(_read_exactly(self.replies, size))
        except (OSError, EOFError):
            return None


_client: _Client | None = None


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(128 + signal.SIGKILL)


def supervise() -> None:
    """Fork the output's supervisor (see the module's docstring); returns in the child. Once per process."""
    global _client
    if _client is not None:
        return
    _flush()
    if "django.db" in sys.modules:  # set up already (manage.py): no connection may be shared with the child
        from django.db import connections

        connections.close_all()
    pipes = {os.pipe(): fd for fd in (1, 2)}
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    parent = os.getpid()
    try:
        child = os.fork()
    except OSError as error:  # no process to spare: the task runs untouched, its tail is not kept
        for fd in (*(end for ends in pipes for end in ends), requests_r, requests_w, replies_r, replies_w):
            os.close(fd)
        print(f"k8s-tasks: the output is not teed (fork failed: {error})", file=sys.stderr)
        return
    if child == 0:
        _die_with_parent(parent)
        for (read_end, write_end), fd in pipes.items():
            os.dup2(write_end, fd)  # inheritable: subprocesses write into the pipe too
            os.close(read_end)
            os.close(write_end)
        os.close(requests_r)
        os.close(replies_w)
        _client = _Client(requests_w, replies_r)
        return
    for _, write_end in pipes:
        os.close(write_end)
    os.close(requests_w)
    os.close(replies_r)
    os.close(0)
    _Supervisor(child, {read_end: fd for (read_end, _), fd in pipes.items()}, requests_r, replies_w).serve()


def wanted(environ: Mapping[str, str]) -> bool:
    """Is the output to be teed? Not for a sealed pod (the operator reads its log), nor when every backend
    in TASKS keeps no tail (LOG_TAIL_BYTES 0). The settings module is imported on its own, not through
    django.conf: the supervisor keeps only what it has imported before the fork (12 MB, not 35)."""
    if environ.get("K8S_TASKS_SEALED") == "1":
        return False
    try:
        backends = getattr(importlib.import_module(environ["DJANGO_SETTINGS_MODULE"]), "TASKS", {}).values()
        return any((p.get("OPTIONS") or {}).get("LOG_TAIL_BYTES", DEFAULT_LIMIT) for p in backends)
    except Exception:  # settings that cannot be read: the runner says why, untouched
        return False


@contextmanager
def captured_output(limit: int) -> Iterator[Callable[[], str | None]]:
    """Yields a function that returns the output's last ``limit`` bytes so far, as text; it returns None
    (store nothing) when ``limit`` is 0 or the output is not supervised (the runner called in-process)."""
    if limit <= 0 or _client is None:
        yield lambda: None
        return
    _client.set_limit(limit)
    yield _client.tail
