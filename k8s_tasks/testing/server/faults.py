"""API fault injection: make chosen verbs on chosen resources answer 403 exceeded quota, 429 or 500, or
slowly; drop watches; forget the watch history (the next resume gets 410 Gone)."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ApiError, Forbidden, InternalError, TooManyRequests


@dataclass
class Fault:
    verb: str | None  # get, list, watch, create, update, patch, delete, deletecollection; None = any
    resource: str | None  # plural, e.g. "jobs"; None = any
    status: int | None  # 403 (exceeded quota), 429 or 500; None = only the delay
    count: int | None  # how many requests it hits; None = until removed
    delay: float = 0.0

    def applies(self, verb: str, resource: str) -> bool:
        return (self.verb in (None, verb)) and (self.resource in (None, resource))


@dataclass
class Faults:
    """``cluster.faults``: thread-safe enough for tests (list appends/removes are atomic in CPython)."""

    faults: list[Fault] = field(default_factory=list)
    _droppers: set[Callable[[], None]] = field(default_factory=set)

    def add(
        self,
        *,
        verb: str | None = None,
        resource: str | None = None,
        status: int | None = 500,
        count: int | None = 1,
        delay: float = 0.0,
    ) -> Fault:
        if status not in (None, 403, 429, 500):
            raise ValueError(
                f"fault status {status!r} is not supported: use 403 (exceeded quota), 429, 500 or None "
                "(delay only)"
            )
        fault = Fault(verb, resource, status, count, delay)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    loop: asyncio.AbstractEventLoop | None = None  # set by LocalCluster.start

    def drop_watches(self) -> None:
        """End every open watch stream now, as a restarted API server or a broken proxy would.

        Safe to call from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.loop is not None and running is not self.loop:
            self.loop.call_soon_threadsafe(self._drop)
        else:
            self._drop()

    def _drop(self) -> None:
        for drop in list(self._droppers):
            drop()

    def register_watch(self, drop: Callable[[], None]) -> Callable[[], None]:
        self._droppers.add(drop)
        return lambda: self._droppers.discard(drop)

    async def check(self, verb: str, resource: str) -> None:
        """Called once per API request; raises the injected error or sleeps the injected delay."""
        for fault in list(self.faults):
            if not fault.applies(verb, resource):
                continue
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0 and fault in self.faults:
                    self.faults.remove(fault)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                raise _error(fault.status, verb, resource)
            return


def _error(status: int, verb: str, resource: str) -> ApiError:
    if status == 403:  # what the ResourceQuota admission plugin answers when a quota is used up
        return Forbidden(
            f"{resource} is forbidden: exceeded quota: injected-quota, requested: count/{resource}=1, "
            f"used: count/{resource}=2, limited: count/{resource}=2"
        )
    if status == 429:
        error: ApiError = TooManyRequests(
            f"injected fault: too many requests ({verb} {resource}), please try again later",
            details={"retryAfterSeconds": 1},
        )
        return error
    return InternalError(f"injected fault: internal error ({verb} {resource})")
