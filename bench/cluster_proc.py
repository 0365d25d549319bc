"""The local cluster for the benchmarks: ``python -m k8s_tasks.testing cluster`` plus two measuring
instruments added by wrapping, not by editing k8s_tasks/testing:

- a counting middleware: every API request by verb (GET, LIST, WATCH, POST, ...) and resource (writes per
  task and reads per minute are counted here), and the time of the last write of each kind;
- a Job recorder: a store watch noting, per task id, when its Job was created and when it finished
  (``time.time()``: the same clock as the database rows and the benchmark driver on this machine), and
  when its Secret (a sealed task's, bench.sealed) was created;
- with ``--record-pods`` (bench.sealed's stacks only: it watches every pod and Event): per task id, when
  its pod first reported Running, and which pods the kubelet found without a volume's source (FailedMount,
  a sealed pod started before its Secret existed).

``GET /_bench/stats`` returns both (``?part=counts``: the request counts and how many Jobs were created and
finished, cheap to poll while thousands of Jobs are made); ``POST /_bench/reset`` clears them.

    python -m bench.cluster_proc --kubeconfig PATH [--fake-seconds S] [--nodes N] [--runtime process]
        [--record-pods]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

import k8s_tasks.testing.cluster as cluster_module
from k8s_tasks.testing.cluster import LocalCluster
from k8s_tasks.testing.sim import NodeSpec

TASK_ID = "k8stasks.io/task-id"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
RESOURCE_RE = re.compile(
    r"^/(?:api|apis/[^/]+)/[^/]+/(?:namespaces/[^/]+/)?([a-z]+)(?:/([^/]+))?(?:/([a-z]+))?"
)


def resource_of(path: str) -> str:
    """'/apis/batch/v1/namespaces/ns/jobs' -> 'jobs'; '.../taskqueues/q/status' -> 'taskqueues/status'"""
    match = RESOURCE_RE.match(path)
    if not match:
        return "other"
    plural, _, sub = match.groups()
    return f"{plural}/{sub}" if sub else plural


def request_key(method: str, path: str, watch: bool) -> str:
    """The counting key, "VERB resource", with the API server's verbs for reads: WATCH (a watch started),
    LIST (a GET of a collection), GET (of one object); writes by their method."""
    match = RESOURCE_RE.match(path)
    verb = method
    if watch:
        verb = "WATCH"
    elif method == "GET" and match is not None and match.group(2) is None:
        verb = "LIST"
    return f"{verb} {resource_of(path)}"


class Instruments:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: collections.Counter[str] = collections.Counter()
        self.last_write: dict[str, float] = {}
        self.created: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.secrets: dict[str, float] = {}
        self.running: dict[str, float] = {}
        self.failed_mount: set[str] = set()  # pod names

    def stats(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "created": self.created,
            "finished": self.finished,
            "secrets": self.secrets,
            "running": self.running,
        }

    def counts(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "last_write": self.last_write,
            "created": len(self.created),
            "finished": len(self.finished),
            "secrets": len(self.secrets),
            "failed_mount": len(self.failed_mount),
        }


INSTRUMENTS = Instruments()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def counting(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/_bench/stats":
        counts = request.query.get("part") == "counts"
        return web.json_response(INSTRUMENTS.counts() if counts else INSTRUMENTS.stats())
    if request.path == "/_bench/reset":
        INSTRUMENTS.reset()
        return web.json_response({})
    key = request_key(request.method, request.path, request.query.get("watch") in ("1", "true"))
    INSTRUMENTS.requests[key] += 1
    if request.method in WRITES:
        INSTRUMENTS.last_write[key] = time.time()
    return await handler(request)


def instrumented_make_app(original: Callable[..., web.Application]) -> Callable[..., web.Application]:
    def make_app(*args: Any, **kwargs: Any) -> web.Application:
        app = original(*args, **kwargs)
        app.middlewares.insert(0, counting)
        return app

    return make_app


def job_finished(job: dict[str, Any]) -> bool:
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or ()
    )


async def record_jobs(cluster: LocalCluster) -> None:
    store = cluster.store
    jobs = store.watch(store.resource_type("batch/v1", "Job"), copy=False)
    async for event_type, job in jobs:
        task_id = (job.get("metadata", {}).get("labels") or {}).get(TASK_ID)
        if not task_id:
            continue
        now = time.time()
        if event_type == "ADDED":
            INSTRUMENTS.created.setdefault(task_id, now)
        if event_type in ("ADDED", "MODIFIED") and job_finished(job):
            INSTRUMENTS.finished.setdefault(task_id, now)


def task_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata", {}).get("labels") or {}).get(TASK_ID) or "")


async def record_secrets(cluster: LocalCluster) -> None:
    """When each task's Secret was created (a sealed task's, named like its Job and labelled like it)."""
    store = cluster.store
    async for event_type, secret in store.watch(store.resource_type("v1", "Secret"), copy=False):
        task_id = task_of(secret)
        if task_id and event_type == "ADDED":
            INSTRUMENTS.secrets.setdefault(task_id, time.time())


async def record_pods(cluster: LocalCluster) -> None:
    """When each task's pod first reported Running (its container started)."""
    store = cluster.store
    async for event_type, pod in store.watch(store.resource_type("v1", "Pod"), copy=False):
        task_id = task_of(pod)
        if task_id and event_type != "DELETED" and (pod.get("status") or {}).get("phase") == "Running":
            INSTRUMENTS.running.setdefault(task_id, time.time())


async def record_failed_mounts(cluster: LocalCluster) -> None:
    """The pods the kubelet could not set a volume up for (FailedMount: it retries every 2 s)."""
    store = cluster.store
    async for event_type, event in store.watch(store.resource_type("v1", "Event"), copy=False):
        if event_type == "ADDED" and event.get("reason") == "FailedMount":
            INSTRUMENTS.failed_mount.add(str((event.get("involvedObject") or {}).get("name")))


async def serve(args: argparse.Namespace) -> None:
    cluster_module.make_app = instrumented_make_app(cluster_module.make_app)  # type: ignore[attr-defined]
    nodes = [
        NodeSpec(
            name=f"node-{i}",
            labels={"pool": "general"},
            allocatable={"cpu": "1000", "memory": "4000Gi", "pods": "100000"},
        )
        for i in range(args.nodes)
    ]
    cluster = LocalCluster(
        nodes,
        workdir=args.workdir,
        kubeconfig_path=args.kubeconfig,
        runtime=args.runtime,
        fake_seconds=args.fake_seconds,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await cluster.start()
    recorders = [record_jobs, record_secrets]
    if args.record_pods:
        recorders += [record_pods, record_failed_mounts]
    running = [asyncio.create_task(record(cluster)) for record in recorders]
    try:
        await stop.wait()
    finally:
        for recorder in running:
            recorder.cancel()
        await cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kubeconfig", type=Path, required=True)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--fake-seconds", type=float, default=3600.0)
    parser.add_argument("--nodes", type=int, default=4)
    parser.add_argument("--runtime", choices=("fake", "process"), default="fake")
    parser.add_argument("--record-pods", action="store_true", help="pods' Running times and FailedMounts")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
