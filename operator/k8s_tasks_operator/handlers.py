"""kopf handlers: thin. Each hands the event to a plain function; the decisions live elsewhere.

kopf serves the TaskQueues, the liveness probe and the lifecycle; our Jobs and Pods are watched by
informer.Informer (they come in thousands, and kopf's per-object machinery is not needed for them)."""

from __future__ import annotations

import asyncio
import logging
import threading
from functools import partial
from typing import Any

import kopf

from . import db, kube, loop, metrics, writeback
from .config import OperatorConfig
from .informer import Informer
from .kube import GROUP, PLURAL, VERSION
from .listen import start_listener
from .runtime import Runtime, logger
from .schedules.clock import clock_from_env
from .schedules.loop import Scheduler
from .served import Served

CONFIG: OperatorConfig = OperatorConfig()  # set by __main__ before kopf starts
SERVED: Served = Served({"default": "default"}, {"default": "default"})  # likewise


@kopf.on.startup()
async def startup(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    settings.peering.standalone = True  # replicas are safe without a leader: claims are row locks
    settings.scanning.disabled = True  # namespaced: no cluster-wide CRD or namespace scans, no ClusterRole
    settings.posting.level = logging.INFO
    settings.posting.reporting_component = "k8s-tasks-operator"
    settings.watching.server_timeout = 300
    settings.networking.error_backoffs = [0.5, 1, 2, 3, 5]
    logging.getLogger("kopf.objects").setLevel(logging.WARNING)  # not a line per handled event
    # The client's configuration once, here, before kopf logs in and the informers start: loading it from
    # several threads at once could hand one of them a CA file not yet written.
    await asyncio.to_thread(kube.load_config)
    rt = Runtime(config=CONFIG, served=SERVED)
    memo.metrics = serve_metrics(rt) if CONFIG.metrics else None
    db.keep_connections_open()
    memo.runtime = rt
    memo.stop = threading.Event()
    running = asyncio.get_running_loop()
    memo.listener = start_listener(rt, running, memo.stop)
    followed = [
        ("jobs", writeback.jobs_listed, writeback.job_event),
        ("pods", writeback.pods_listed, writeback.pod_event),
    ]
    memo.informers = [
        Informer(kind, CONFIG.namespace, running, partial(listed, rt), partial(seen, rt)).start()
        for kind, listed, seen in followed
    ]
    memo.loop = asyncio.create_task(loop.run(rt), name="k8s-tasks-dispatch")
    try:
        memo.scheduler = Scheduler(rt, clock_from_env())
    except ValueError as exc:  # K8S_TASKS_SCHEDULE_CLOCK, a test setting, set wrong
        raise kopf.PermanentError(str(exc)) from exc
    memo.scheduling = asyncio.create_task(memo.scheduler.run(), name="k8s-tasks-schedules")


def serve_metrics(rt: Runtime) -> metrics.Endpoint:
    assert CONFIG.metrics is not None
    host, port = CONFIG.metrics
    try:
        endpoint = metrics.serve(CONFIG.metrics, rt)
    except OSError as exc:
        raise kopf.PermanentError(
            f"cannot serve metrics on {host}:{port} ({exc}): give --metrics or K8S_TASKS_METRICS "
            "a free port on an address of this host"
        ) from exc
    logger.info("serving metrics at http://%s:%s/metrics", host, port)
    return endpoint


@kopf.on.cleanup()
async def cleanup(memo: kopf.Memo, **_: Any) -> None:
    memo.stop.set()
    for informer in memo.informers:
        informer.stop.set()
    memo.loop.cancel()
    memo.scheduling.cancel()
    if memo.runtime.work is not None:
        memo.runtime.work.stop()
    if memo.metrics is not None:
        await asyncio.to_thread(memo.metrics.close)  # waits for the server's loop to stop


@kopf.on.probe(id="dispatch")
async def dispatch_probe(memo: kopf.Memo, **_: Any) -> dict[str, Any]:
    """Part of the liveness endpoint's answer: is the dispatch loop alive, and what does it serve."""
    rt: Runtime | None = getattr(memo, "runtime", None)
    task: asyncio.Task[None] | None = getattr(memo, "loop", None)
    if rt is None or task is None or task.done():
        raise kopf.PermanentError("the dispatch loop is not running")
    return {
        "queues": sorted(rt.queues.known_queue_names()),
        "launched": rt.launched,
        "passes": rt.passes,
        "reconciles": rt.reconciles,
        "resyncs": rt.resyncs,
        "work": len(rt.work) if rt.work is not None else 0,
    }


@kopf.on.event(GROUP, VERSION, PLURAL)
async def taskqueue_event(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt: Runtime = memo.runtime
    rt.queues.apply(type, dict(body))
    rt.policies_checked = False  # isolated or not any more: look at the policies again
    rt.poke()
    rt.resync_now()  # a queue that appears or changes: its claimed rows may need their Jobs


@kopf.on.event(GROUP, VERSION, "taskschedules")
async def taskschedule_event(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    memo.scheduler.apply(type, dict(body))  # the schedule loop decides at once (it also lists them itself)
