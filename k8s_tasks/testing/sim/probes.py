"""Readiness probes as the kubelet runs them, against the container's local process: httpGet (a 2xx or 3xx
answer), tcpSocket (a connection) and exec (exit code 0), every periodSeconds after initialDelaySeconds,
ready after successThreshold successes in a row and unready after failureThreshold failures.

The containers are processes on this machine, so the probes go to 127.0.0.1 (a pod IP here is a label).
"""

import asyncio
import contextlib
import ssl
from collections.abc import Callable
from typing import Any

KUBE_PROBE = "kube-probe/1.37"


def resolve_port(port: Any, container: dict[str, Any]) -> int | None:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    text = str(port)
    if text.isdigit():
        return int(text)
    for declared in container.get("ports") or []:
        if declared.get("name") == text:
            return int(declared["containerPort"])
    return None


async def _http(action: dict[str, Any], container: dict[str, Any]) -> bool:
    port = resolve_port(action.get("port"), container)
    if port is None:
        return False
    secure = str(action.get("scheme") or "HTTP").upper() == "HTTPS"
    context = ssl.create_default_context() if secure else None
    if context is not None:  # the kubelet does not verify the container's certificate
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    headers = {h["name"]: h.get("value", "") for h in action.get("httpHeaders") or []}
    host = headers.pop("Host", f"127.0.0.1:{port}")
    lines = [f"GET {action.get('path') or '/'} HTTP/1.1", f"Host: {host}", f"User-Agent: {KUBE_PROBE}"]
    lines += ["Accept: */*", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    parts = status_line.split()
    return len(parts) >= 2 and parts[1].isdigit() and 200 <= int(parts[1]) < 400


async def _tcp(action: dict[str, Any], container: dict[str, Any]) -> bool:
    port = resolve_port(action.get("port"), container)
    if port is None:
        return False
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    return True


async def _exec(action: dict[str, Any], env: dict[str, str], cwd: str) -> bool:
    command = [str(part) for part in action.get("command") or []]
    if not command:
        return False
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        return await process.wait() == 0
    except asyncio.CancelledError:  # the probe's timeout
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        raise


async def probe_once(probe: dict[str, Any], container: dict[str, Any], env: dict[str, str], cwd: str) -> bool:
    try:
        async with asyncio.timeout(float(probe.get("timeoutSeconds") or 1)):
            if "httpGet" in probe:
                return await _http(probe["httpGet"], container)
            if "tcpSocket" in probe:
                return await _tcp(probe["tcpSocket"], container)
            if "exec" in probe:
                return await _exec(probe["exec"], env, cwd)
    except (OSError, TimeoutError, ssl.SSLError, ValueError):
        return False
    return True  # grpc: no gRPC health client here; the container counts as ready once running


async def readiness_loop(
    probe: dict[str, Any],
    container: dict[str, Any],
    env: dict[str, str],
    cwd: str,
    changed: Callable[[bool], None],
) -> None:
    """Probe until cancelled; ``changed(ready)`` each time the container's readiness flips."""
    await asyncio.sleep(float(probe.get("initialDelaySeconds") or 0))
    ready, successes, failures = False, 0, 0
    period = float(probe.get("periodSeconds") or 10)
    needed, allowed = int(probe.get("successThreshold") or 1), int(probe.get("failureThreshold") or 3)
    while True:
        if await probe_once(probe, container, env, cwd):
            successes, failures = successes + 1, 0
            if not ready and successes >= needed:
                ready = True
                changed(True)
        else:
            successes, failures = 0, failures + 1
            if ready and failures >= allowed:
                ready = False
                changed(False)
        await asyncio.sleep(period)
