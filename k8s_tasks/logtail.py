"""The end of a task's output, kept in bounded memory, as text a database can store.

Used by the runner (its own stdout and stderr, k8s_tasks.tee) and by the operator (a pod's log, read from
the Kubernetes API when the operator writes the outcome). Pure: no Django, no I/O.
"""

from __future__ import annotations

DEFAULT_LIMIT = 16 * 1024  # OPTIONS["LOG_TAIL_BYTES"] by default (k8s_tasks.conf)
HEAD = 64  # bytes kept of the start of the last line: enough to recognise a marker line by its prefix


class TailBuffer:
    """The last ``limit`` bytes of a stream fed in chunks, in at most about 4 x ``limit`` bytes of memory.

    The last line is tracked apart (its first bytes too), so ``text`` can leave it out when it is a
    protocol line (a sealed pod's outcome, which may be much longer than ``limit``). The work per chunk
    is a few slices, never a loop over its lines: the runner feeds it everything a task prints.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self.total = 0  # bytes fed
        self._before = bytearray()  # the stream up to the start of its last line (its end only)
        self._last = bytearray()  # the last line, with its newline if complete (its end only)
        self._head = b""  # the first HEAD bytes of the last line

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self.total += len(data)
        inner = data.rfind(b"\n", 0, len(data) - 1)  # a newline before the chunk's last byte
        if inner >= 0:
            self._before += self._last
            self._before += data[: inner + 1]
            self._last = bytearray(data[inner + 1 :])
            self._head = bytes(self._last[:HEAD])
        elif self._last.endswith(b"\n"):  # the last line was complete: this chunk starts a new one
            self._before += self._last
            self._last = bytearray(data)
            self._head = data[:HEAD]
        else:
            if len(self._head) < HEAD:
                self._head = (self._head + data[: HEAD - len(self._head)])[:HEAD]
            self._last += data
        for part in (self._before, self._last):
            if len(part) > 2 * self.limit:  # trimmed now and then, not at every chunk
                del part[: len(part) - self.limit]

    def data(self, drop_last_line_prefix: bytes | None = None) -> bytes:
        """The last ``limit`` bytes; without the last line if it starts with ``drop_last_line_prefix``."""
        if self.limit == 0:
            return b""
        if drop_last_line_prefix is not None and self._head.startswith(drop_last_line_prefix):
            return bytes(self._before[-self.limit :])
        return bytes((self._before[-self.limit :] + self._last)[-self.limit :])

    def text(self, drop_last_line_prefix: bytes | None = None) -> str:
        return tail_text(self.data(drop_last_line_prefix))


def tail_text(data: bytes) -> str:
    """The bytes as text: a character cut at the start is dropped, invalid UTF-8 replaced, and NUL (which
    PostgreSQL's text refuses) shown as U+FFFD."""
    start = 0
    while start < min(len(data), 3) and 0x80 <= data[start] <= 0xBF:  # continuation bytes of a cut char
        start += 1
    return data[start:].decode("utf-8", "replace").replace("\x00", "\ufffd")


def clip(text: str, limit: int) -> str:
    """The last ``limit`` bytes (UTF-8) of ``text``, as text."""
    if limit <= 0:
        return ""
    data = text.encode("utf-8", "replace")
    return text if len(data) <= limit else tail_text(data[-limit:])
