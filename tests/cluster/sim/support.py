"""Helpers for the simulation tests: a store plus a running Simulation, and an async poll with a deadline."""

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from k8s_tasks.testing.sim import NodeSpec, Simulation
from k8s_tasks.testing.store import Store

CPU_NODE = NodeSpec("cpu-1", {"pool": "cpu"}, (), {"cpu": "8", "memory": "32Gi", "pods": "110"})
GPU_NODE = NodeSpec(
    "gpu-1",
    {"pool": "gpu"},
    ({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},),
    {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1", "pods": "110"},
)


@asynccontextmanager
async def running_sim(tmp_path: Path, nodes: list[NodeSpec], **options: Any) -> AsyncIterator[Simulation]:
    sim = Simulation(Store(), nodes, workdir=tmp_path / "cluster", **options)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


async def poll(predicate: Callable[[], Any], *, within: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}; last={value!r}")
        await asyncio.sleep(0.02)


def job_manifest(name: str, command: list[str], **spec: Any) -> dict[str, Any]:
    pod_spec = spec.pop("pod_spec", {})
    container = {"name": "main", "image": "python:3.12", "command": command, **spec.pop("container", {})}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "backoffLimit": spec.pop("backoffLimit", 0),
            "template": {"spec": {"restartPolicy": "Never", "containers": [container], **pod_spec}},
            **spec,
        },
    }


PY = sys.executable


def get(sim: Simulation, kind: str, name: str) -> dict[str, Any] | None:
    informer = {"Job": sim.jobs, "Pod": sim.pods, "Node": sim.nodes}[kind]
    return informer.get(None if kind == "Node" else "default", name)


def condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond["type"] == kind and cond["status"] == "True":
            return dict(cond)
    return None


def pods_of(sim: Simulation, job: str) -> list[dict[str, Any]]:
    items, _ = sim.store.list(sim.pods.rt, "default", label_selector=f"job-name={job}")
    return items


def events_for(sim: Simulation, name: str) -> list[tuple[str, str]]:
    items, _ = sim.store.list(sim.store.resource_type("v1", "Event"), "default")
    return [(e["reason"], e["message"]) for e in items if e["involvedObject"]["name"] == name]
