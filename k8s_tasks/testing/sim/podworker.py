"""One pod on a simulated node: pull, start, watch, stop, and report its status, like a kubelet."""

import asyncio
import contextlib
import fnmatch
import random
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from .env import ConfigError, container_env, expand
from .logs import log_path
from .netpolicy import DENY_ALL, UNENFORCED, egress_of
from .podstatus import container_status, pod_conditions, pod_phase, running, terminated, waiting
from .probes import readiness_loop
from .runtime import Container, ContainerContext, ProcessRuntime, StartError, now_stamp, process_env
from .sandbox import available as sandbox_unavailable
from .volumes import MountError, set_up

if TYPE_CHECKING:
    from .kubelet import Kubelet

DEFAULT_TERMINATION_LOG = "/dev/termination-log"


class PodWorker:
    def __init__(self, kubelet: "Kubelet", pod: dict[str, Any]) -> None:
        self.kubelet, self.pod = kubelet, pod
        meta, spec = pod["metadata"], pod["spec"]
        self.namespace, self.name, self.node = (
            meta.get("namespace") or "default",
            meta["name"],
            spec["nodeName"],
        )
        self.restart_policy = spec.get("restartPolicy", "Always")
        self.containers: list[dict[str, Any]] = spec.get("containers") or []
        self.inits: list[dict[str, Any]] = spec.get("initContainers") or []
        self.states: dict[str, dict[str, Any]] = {
            c["name"]: waiting("PodInitializing" if self.inits else "ContainerCreating")
            for c in self.containers
        }
        self.states.update({c["name"]: waiting("PodInitializing") for c in self.inits})
        self.restarts: dict[str, int] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self.cids: dict[str, str] = {}
        self.running: dict[str, Container] = {}
        self.ready: dict[str, bool] = {}  # readiness probe verdicts of running containers that have one
        self.initialized = not self.inits
        self.stopping = asyncio.Event()
        self.deleting = False
        self.stop_reason: tuple[str, str] | None = None  # pod status (reason, message)
        self.start_time = now_stamp()
        self.pod_ip = kubelet.next_ip(self.node)
        self.task: asyncio.Task[None] | None = None
        self.warned_network = self.warned_mounts = False

    # -- status -------------------------------------------------------------------------------------
    def _statuses(self, group: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            container_status(
                c,
                self.states[c["name"]],
                self.restarts.get(c["name"], 0),
                self.last.get(c["name"], {}),
                self.cids.get(c["name"], ""),
                self.ready.get(c["name"]),
            )
            for c in group
        ]

    def report(self, phase: str | None = None) -> str:
        statuses = self._statuses(self.containers)
        init_statuses = self._statuses(self.inits)
        if phase is None:
            phase = pod_phase(statuses, self.restart_policy, self.stopping.is_set())
            if not self.initialized and phase == "Running":
                phase = "Pending"
        now = now_stamp()
        node_ip = self.kubelet.node_ip(self.node)

        def write(pod: dict[str, Any]) -> None:
            status = pod.setdefault("status", {})
            status["phase"] = phase
            status["conditions"] = pod_conditions(
                status.get("conditions") or [], phase, self.initialized, statuses, now
            )
            status["containerStatuses"] = statuses
            if init_statuses:
                status["initContainerStatuses"] = init_statuses
            status.update({"hostIP": node_ip, "hostIPs": [{"ip": node_ip}], "startTime": self.start_time})
            status.update({"podIP": self.pod_ip, "podIPs": [{"ip": self.pod_ip}]})
            status.setdefault("qosClass", "BestEffort")
            if self.stop_reason is not None and phase == "Failed":
                status["reason"], status["message"] = self.stop_reason

        with contextlib.suppress(NotFound):
            self.kubelet.write_status(self.namespace, self.name, write)
        return phase

    def event(self, type_: str, reason: str, message: str, container: str | None = None) -> None:
        field_path = f"spec.containers{{{container}}}" if container else None
        self.kubelet.recorder.record(self.pod, type_, reason, message, "kubelet", self.node, field_path)

    # -- lifecycle ----------------------------------------------------------------------------------
    async def run(self) -> None:
        deadline = self.pod["spec"].get("activeDeadlineSeconds")
        timer = (
            asyncio.get_running_loop().call_later(deadline, self.stop, "DeadlineExceeded", None)
            if deadline is not None
            else None
        )
        self.report()
        try:
            if not await self._mount():
                for c in [*self.inits, *self.containers]:
                    self._unknown_on_stop(c["name"])
                self._end()
                return
            for init in self.inits:
                if not await self.run_container(init) and not self.stopping.is_set():
                    self.report("Failed")
                    return
            self.initialized = True
            for c in self.containers:
                if "waiting" in self.states[c["name"]]:
                    self.states[c["name"]] = waiting("ContainerCreating")
            if len(self.containers) == 1:
                await self.run_container(self.containers[0])
            else:
                await asyncio.gather(*(self.run_container(c) for c in self.containers))
        finally:
            if timer is not None:
                timer.cancel()
        self._end()

    def _end(self) -> None:
        phase = self.report()
        if self.deleting:
            self.kubelet.finish_deletion(self)
        elif phase in ("Succeeded", "Failed"):
            self.kubelet.forget(self)

    async def _mount(self) -> bool:
        """Set the pod's volumes up before any container starts; wait (FailedMount) while one cannot be."""
        root = self.kubelet.volume_root(self.pod)
        reported = ""
        while True:
            try:
                mint = self.kubelet.mint_token if self.kubelet.tokens is not None else None
                set_up(self.pod, self.kubelet.lookup(self.namespace), root, mint)
                return True
            except MountError as exc:
                if str(exc) != reported:
                    reported = str(exc)
                    self.event("Warning", "FailedMount", reported)
            await self._pause(2.0)
            if self.stopping.is_set():
                return False

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    def _unknown_on_stop(self, name: str) -> None:
        self.states[name] = terminated(
            137,
            "ContainerStatusUnknown",
            "The container could not be located when the pod was terminated",
            "",
            now_stamp(),
        )

    async def _prepare(self, c: dict[str, Any]) -> ContainerContext | None:
        name, image = c["name"], c.get("image", "")
        pattern = self.kubelet.image_pull_error_pattern
        if pattern and fnmatch.fnmatch(image, pattern):
            self.event("Normal", "Pulling", f'Pulling image "{image}"', name)
            message = (
                f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
                f'unpack image "{image}": not found'
            )
            self.states[name] = waiting("ErrImagePull", message)
            self.event("Warning", "Failed", message, name)
            self.report()
            await self._pause(1.0)
            if not self.stopping.is_set():
                self.states[name] = waiting("ImagePullBackOff", f'Back-off pulling image "{image}"')
                self.event("Normal", "BackOff", f'Back-off pulling image "{image}"', name)
                self.report()
            await self.stopping.wait()
            return None
        while True:
            try:
                env = container_env(self.pod, c, self.kubelet.lookup(self.namespace))
                break
            except ConfigError as exc:
                if not isinstance(self.states[name].get("waiting"), dict) or self.states[name]["waiting"].get(
                    "message"
                ) != str(exc):
                    self.states[name] = waiting("CreateContainerConfigError", str(exc))
                    self.event("Warning", "Failed", f"Error: {exc}", name)
                    self.report()
                await self._pause(2.0)
                if self.stopping.is_set():
                    return None
        ctx = self.kubelet.context(self.pod, c, env)
        egress = egress_of(self.kubelet.store, self.pod)
        ctx.isolate_network = egress.verdict == DENY_ALL
        if egress.verdict == UNENFORCED and not self.warned_network:
            self.warned_network = True
            self.event("Warning", "NetworkPolicyNotEnforced", egress.warning(self.namespace))
        if ctx.binds and not self.warned_mounts and (why := sandbox_unavailable()) is not None:
            self.warned_mounts = True
            self.event(
                "Warning",
                "ServiceAccountTokenNotMounted",
                f"no mount namespace ({why}): the token volume is not at its mountPath, only at the paths "
                "the container's env and arguments name under it",
            )
        return ctx

    async def run_container(self, c: dict[str, Any]) -> bool:
        """Run one container to its end (restarting it per restartPolicy); True if it exited 0."""
        name = c["name"]
        ctx = await self._prepare(c)
        if ctx is None:
            self._unknown_on_stop(name)
            return False
        image = c.get("image", "")
        self.event("Normal", "Pulled", f'Container image "{image}" already present on machine', name)
        while True:
            self.cids[name] = f"{random.getrandbits(128):032x}"
            try:
                container = await self.kubelet.runtime.start(ctx)
            except StartError as exc:
                self.states[name] = terminated(128, "StartError", str(exc), "", now_stamp())
                self.event("Warning", "Failed", f"Error: {exc}", name)
                code = 128
            else:
                self.running[name] = container
                self.event("Normal", "Created", f"Created container: {name}", name)
                self.event("Normal", "Started", f"Started container {name}", name)
                self.states[name] = running(container.started_at)
                prober = self._start_readiness(c, ctx)
                if self.stopping.is_set():
                    container.signal(signal.SIGKILL)
                elif self.kubelet.report_running or self.restart_policy == "Always":
                    self.report()
                try:
                    result = await container.wait()
                finally:
                    if prober is not None:
                        prober.cancel()
                    self.ready.pop(name, None)
                self.running.pop(name, None)
                message = result.message
                if (
                    not message
                    and result.exit_code
                    and c.get("terminationMessagePolicy") == "FallbackToLogsOnError"
                ):
                    message = _log_tail(ctx.log_file)
                self.states[name] = terminated(
                    result.exit_code, result.reason, message, result.started_at, result.finished_at
                )
                code = result.exit_code
            restart = self.restart_policy == "Always" or (self.restart_policy == "OnFailure" and code != 0)
            if not restart or self.stopping.is_set():
                return code == 0
            self.restarts[name] = self.restarts.get(name, 0) + 1
            self.last[name] = self.states[name]
            self.report()
            await self._pause(min(10.0 * 2 ** (self.restarts[name] - 1), 300.0) / 10)
            if self.stopping.is_set():
                return False

    def _start_readiness(self, c: dict[str, Any], ctx: ContainerContext) -> "asyncio.Task[None] | None":
        """Probe a process container's readiness; it stays unready until the probe passes."""
        probe = c.get("readinessProbe")
        if not isinstance(probe, dict) or not isinstance(self.kubelet.runtime, ProcessRuntime):
            return None
        name = c["name"]
        self.ready[name] = False

        def changed(ready: bool) -> None:
            if name in self.ready:
                self.ready[name] = ready
                self.report()

        env = process_env(ctx.env)
        return asyncio.ensure_future(readiness_loop(probe, c, env, str(ctx.working_dir), changed))

    def stop(self, reason: str | None = None, message: str | None = None, grace: float = 30.0) -> None:
        """Stop every container: SIGTERM now, SIGKILL after ``grace`` seconds."""
        if self.stopping.is_set():
            return
        if reason == "DeadlineExceeded":
            self.stop_reason = (
                "DeadlineExceeded",
                "Pod was active on the node longer than the specified deadline",
            )
            self.event("Normal", "DeadlineExceeded", self.stop_reason[1])
        elif reason is not None:
            self.stop_reason = (reason, message or "")
        self.stopping.set()
        for name, container in list(self.running.items()):
            self.event("Normal", "Killing", f"Stopping container {name}", name)
            container.signal(signal.SIGTERM)
        if self.running:
            asyncio.get_running_loop().call_later(max(grace, 0.0), self._kill)

    def _kill(self) -> None:
        for container in list(self.running.values()):
            container.signal(signal.SIGKILL)


def _log_tail(path: Path, lines: int = 80, limit: int = 2048) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])[-limit:]
    return ""


def log_file(root: Path, pod: dict[str, Any], container: str) -> Path:
    return log_path(root, pod["metadata"].get("namespace") or "default", pod["metadata"]["name"], container)


def argv_of(container: dict[str, Any], env: dict[str, str]) -> list[str]:
    return [expand(str(a), env) for a in (container.get("command") or []) + (container.get("args") or [])]


Writer = Callable[[dict[str, Any]], None]
