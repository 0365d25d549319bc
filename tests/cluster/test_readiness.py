"""Readiness probes run against the container's own process: a pod is Ready only once its probe passes
(httpGet, tcpSocket, exec), and stays unready while it fails."""

import socket

import pytest
from kubernetes import client

from tests.waiting import wait_until

from .conftest import PY

pytestmark = pytest.mark.cluster(runtime="process")

SERVE_LATER = (
    "import http.server as h, sys, time; time.sleep(1.5); "
    "h.HTTPServer(('127.0.0.1', int(sys.argv[1])), h.SimpleHTTPRequestHandler).serve_forever()"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pod(name: str, command: list[str], probe: dict, ports: list[dict] | None = None) -> dict:
    container = {"name": "app", "image": "python:3.12", "command": command, "readinessProbe": probe}
    if ports:
        container["ports"] = ports
    return {
        "metadata": {"name": name},
        "spec": {"containers": [container], "terminationGracePeriodSeconds": 1},
    }


def ready(core: client.CoreV1Api, name: str) -> tuple[str, bool]:
    p = core.read_namespaced_pod(name, "default")
    conditions = {c.type: c.status for c in p.status.conditions or []}
    return p.status.phase, conditions.get("Ready") == "True"


@pytest.mark.parametrize("kind", ["httpGet", "tcpSocket"])
def test_network_probes_make_the_pod_ready_once_the_process_listens(core, kind: str) -> None:
    port = free_port()
    action = {"port": "web"} if kind == "tcpSocket" else {"port": "web", "path": "/"}
    probe = {kind: action, "periodSeconds": 1}
    core.create_namespaced_pod(
        "default",
        pod("served", [PY, "-c", SERVE_LATER, str(port)], probe, [{"name": "web", "containerPort": port}]),
    )
    wait_until(lambda: ready(core, "served")[0] == "Running", what="the container running")
    assert ready(core, "served") == ("Running", False)  # listening only after 1.5 s
    wait_until(lambda: ready(core, "served")[1], timeout=20, what="the probe passing")
    status = core.read_namespaced_pod("served", "default").status.container_statuses[0]
    assert (status.ready, status.started) == (True, True)


def test_exec_probe_and_a_failing_probe(core) -> None:
    touch_later = [
        PY,
        "-c",
        "import pathlib, time; time.sleep(1); pathlib.Path('ready').touch(); time.sleep(300)",
    ]
    probe = {
        "exec": {"command": [PY, "-c", "import os, sys; sys.exit(0 if os.path.exists('ready') else 1)"]},
        "periodSeconds": 1,
    }
    core.create_namespaced_pod("default", pod("touched", touch_later, probe))
    never = {"httpGet": {"port": free_port()}, "periodSeconds": 1}
    core.create_namespaced_pod("default", pod("closed", [PY, "-c", "import time; time.sleep(300)"], never))
    wait_until(lambda: ready(core, "touched")[1], timeout=20, what="the exec probe passing")
    assert ready(core, "closed") == ("Running", False)
    conditions = {c.type: c for c in core.read_namespaced_pod("closed", "default").status.conditions}
    assert (conditions["Ready"].reason, conditions["Ready"].message) == (
        "ContainersNotReady",
        "containers with unready status: [app]",
    )
