"""Container runtimes: real local processes, or a fake that only waits (as kwok does).

The process runtime runs the container's command on this machine with the host's interpreter: the image
is a label, not a filesystem. PATH starts with the directory of the cluster's own Python, so a pod's
``python`` is the interpreter running the cluster; PATH and PYTHONPATH come from the cluster process, then
the pod's env on top. The memory limit is enforced like a cgroup: the process tree's memory (the sum of its
processes' PSS: shared pages once) is polled and the container is SIGKILLed (OOMKilled, exit 137) when it
goes over.
"""

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..objects import now_iso
from . import sandbox

MEMORY_POLL_SECONDS = 0.02
_PAGE = os.sysconf("SC_PAGE_SIZE")


def now_stamp() -> str:
    return now_iso()


@dataclass
class Exit:
    exit_code: int
    reason: str  # Completed / Error / OOMKilled / StartError
    message: str = ""
    started_at: str = ""
    finished_at: str = ""


@dataclass
class ContainerContext:
    argv: list[str]
    env: dict[str, str]
    working_dir: Path
    log_file: Path
    termination_log: Path
    memory_limit: int | None = None
    fake_seconds: float | None = 0.0  # None: until stopped
    fake_exit_code: int = 0
    annotations: dict[str, str] = field(default_factory=dict)
    binds: list[tuple[str, str]] = field(default_factory=list)  # (host dir, path) in a mount namespace
    isolate_network: bool = False  # a network namespace of its own (a deny-all egress NetworkPolicy)


class Container(Protocol):
    started_at: str

    async def wait(self) -> Exit: ...
    def signal(self, sig: int) -> None: ...


class StartError(Exception):
    """The runtime could not start the container (exit 128, reason StartError)."""


def exit_reason(code: int) -> str:
    return "Completed" if code == 0 else "Error"


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                todo.extend(int(child) for child in task.read_text().split())
    return pids


def _pss(pid: int) -> int:
    """A process's proportional set size (bytes): its resident pages, each shared one divided among the
    processes sharing it (/proc/PID/smaps_rollup); its RSS where the kernel has no smaps_rollup."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE


def tree_rss(pid: int) -> int:
    """The memory (bytes) of a process and all its descendants, as a cgroup would charge it: each page once,
    so the sum of their PSS (a forked parent and child share their pages; their RSS would count them
    twice)."""
    total = 0
    for p in _tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += _pss(p)
    return total


class ProcessContainer:
    def __init__(self, proc: asyncio.subprocess.Process, ctx: ContainerContext) -> None:
        self.proc, self.ctx = proc, ctx
        self.started_at = now_stamp()
        self.oom_killed = False
        self._watcher = (
            asyncio.ensure_future(self._watch_memory(ctx.memory_limit)) if ctx.memory_limit else None
        )

    async def _watch_memory(self, limit: int) -> None:
        while self.proc.returncode is None:
            if tree_rss(self.proc.pid) > limit:
                self.oom_killed = True
                self.signal(signal.SIGKILL)
                return
            await asyncio.sleep(MEMORY_POLL_SECONDS)

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    async def wait(self) -> Exit:
        code = await self.proc.wait()
        self.signal(signal.SIGKILL)  # the container's other processes go with it
        if self._watcher is not None:
            self._watcher.cancel()
        exit_code = 128 - code if code < 0 else code
        message = ""
        with contextlib.suppress(OSError):
            message = self.ctx.termination_log.read_bytes()[:4096].decode("utf-8", "replace")
        reason = "OOMKilled" if self.oom_killed else exit_reason(exit_code)
        return Exit(exit_code, reason, message, self.started_at, now_stamp())


def process_env(container_env: dict[str, str]) -> dict[str, str]:
    """A container process's environment: the cluster's PATH (its Python first) and PYTHONPATH, then the
    pod's own variables."""
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(container_env)
    return env


class ProcessRuntime:
    async def start(self, ctx: ContainerContext) -> Container:
        env = process_env(ctx.env)
        ctx.log_file.parent.mkdir(parents=True, exist_ok=True)
        ctx.termination_log.parent.mkdir(parents=True, exist_ok=True)
        ctx.termination_log.write_bytes(b"")
        if not ctx.argv:
            raise StartError("no command specified: the local cluster needs command or args in the pod spec")
        try:
            argv = sandbox.wrap(ctx.argv, ctx.binds, ctx.isolate_network)
        except sandbox.SandboxUnavailable as exc:
            if ctx.isolate_network:
                raise StartError(
                    "the pod's NetworkPolicy denies all egress, but this machine cannot give it a network "
                    f"namespace of its own ({exc}); it is not started on the host network"
                ) from None
            argv = ctx.argv  # the token stays reachable through the rewritten paths (kubelet warns)
        with ctx.log_file.open("ab") as log:
            try:
                proc = await asyncio.create_subprocess_exec(
                    *argv,
                    env=env,
                    cwd=ctx.working_dir,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,
                )
            except (FileNotFoundError, PermissionError) as exc:
                raise StartError(
                    "failed to create containerd task: failed to create shim task: OCI runtime create "
                    f'failed: runc create failed: unable to start container process: exec: "{ctx.argv[0]}": '
                    f"{'executable file not found in $PATH' if isinstance(exc, FileNotFoundError) else exc}"
                ) from None
        return ProcessContainer(proc, ctx)


class FakeContainer:
    """Exits ``exit_code`` ``seconds`` after it started (at once if 0; never if None), or 128 + N on
    signal N."""

    def __init__(self, seconds: float | None, exit_code: int) -> None:
        loop = asyncio.get_running_loop()
        self.started_at = now_stamp()
        self._exit_code = exit_code
        self._seconds = float("inf") if seconds is None else seconds
        self._exit: asyncio.Future[int] = loop.create_future()
        self._timer: asyncio.TimerHandle | None = None
        if seconds is not None and seconds > 0:
            self._timer = loop.call_later(seconds, self._end, exit_code)

    def _end(self, code: int) -> None:
        if not self._exit.done():
            self._exit.set_result(code)

    def signal(self, sig: int) -> None:
        self._end(128 + sig)

    async def wait(self) -> Exit:
        code = await self._exit if self._seconds > 0 or self._exit.done() else self._exit_code
        if self._timer is not None:
            self._timer.cancel()
        return Exit(code, exit_reason(code), "", self.started_at, now_stamp())


class FakeRuntime:
    """No process: the container runs ``fake_seconds`` then exits ``fake_exit_code`` (per-pod overrides:
    annotations ``k8s-tasks.io/fake-seconds`` and ``k8s-tasks.io/fake-exit-code``); a container of a pod
    that restarts Always (a Deployment's) runs until it is stopped, as a server would. It writes no log
    file: the API server serves a started container without one as an empty log."""

    async def start(self, ctx: ContainerContext) -> Container:
        override = ctx.annotations.get("k8s-tasks.io/fake-seconds")
        seconds = float(override) if override is not None else ctx.fake_seconds
        code = int(ctx.annotations.get("k8s-tasks.io/fake-exit-code", ctx.fake_exit_code))
        return FakeContainer(seconds, code)
