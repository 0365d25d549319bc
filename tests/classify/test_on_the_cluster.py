"""The classifier on what the local cluster really reports: Jobs built by build_job run on the simulated
nodes (real child processes, memory limit enforced, real deadlines, eviction, node loss, image pulls), and
classify_job / pending_reason / is_hopeless_waiting read the resulting Job and Pod objects."""

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from k8s_tasks.profiles import TaskRef, build_job, parse_profile
from k8s_tasks.testing.sim import NodeSpec, Simulation
from k8s_tasks.testing.sim.logs import log_path
from k8s_tasks_operator.classify import (
    Outcome,
    classify_job,
    is_hopeless_waiting,
    job_finished,
    pending_reason,
)
from tests.cluster.sim.support import poll, running_sim

PY = sys.executable
NODE = NodeSpec("highmem-1", {"pool": "highmem"}, (), {"cpu": "8", "memory": "32Gi", "pods": "110"})
TASK = TaskRef(
    id="3f1d0c9e-7a52-4b8e-9d41-2c6f0e1b5a77", attempt=1, task_path="myapp.tasks.crunch", queue_name="hm"
)


def run_command(code: str) -> dict[str, Any]:
    """The profile's own command as a small Python program (its `run <id>` arguments are ignored by -c;
    a podTemplate may not override the runner's command or args)."""
    return {"command": [PY, "-c", code]}


cluster = running_sim  # the simulation on its own, as tests/cluster uses it


async def until(predicate: Callable[[], Any], what: str, within: float = 20.0) -> Any:
    return await poll(predicate, within=within, what=what)


@asynccontextmanager
async def watched_pods(sim: Simulation) -> AsyncIterator[dict[str, dict[str, Any]]]:
    """The last state of every pod, as an informer sees it (a deleted pod keeps its final state)."""
    seen: dict[str, dict[str, Any]] = {}
    watch = sim.store.watch(sim.pods.rt, "default")

    async def consume() -> None:
        async for _kind, obj in watch:
            seen[obj["metadata"]["name"]] = obj

    task = asyncio.create_task(consume())
    try:
        yield seen
    finally:
        watch.close()
        task.cancel()


def launch(sim: Simulation, spec: dict[str, Any]) -> str:
    job = build_job(
        parse_profile("hm", spec), TASK, namespace="default", default_image="app:1", settings_module="s"
    )
    sim.store.create(sim.jobs.rt, job)
    return str(job["metadata"]["name"])


def job_of(sim: Simulation, name: str) -> dict[str, Any]:
    return sim.store.get(sim.jobs.rt, "default", name)


def pods_of(sim: Simulation, name: str) -> list[dict[str, Any]]:
    items, _ = sim.store.list(sim.pods.rt, "default", label_selector=f"batch.kubernetes.io/job-name={name}")
    return items


def running_pod(sim: Simulation, name: str) -> dict[str, Any] | None:
    return next((p for p in pods_of(sim, name) if p.get("status", {}).get("phase") == "Running"), None)


async def outcome_of(
    sim: Simulation, name: str, seen: dict[str, dict[str, Any]] | None = None, *, read_log: bool = True
) -> Outcome:
    await until(lambda: job_finished(job_of(sim, name)), "the Job to finish")
    job = job_of(sim, name)
    known = {n: p for n, p in (seen or {}).items() if n.startswith(name)}  # deleted pods, last state
    known.update({p["metadata"]["name"]: p for p in pods_of(sim, name)})
    pods = list(known.values())
    tail = ""
    if pods and read_log:
        path = log_path(sim.log_root, "default", pods[-1]["metadata"]["name"], "task")
        tail = path.read_text() if path.exists() else ""
    result = classify_job(job, pods, parse_profile("hm", {}), log_tail=tail)
    assert result is not None
    return result


async def test_oom_killed_names_the_limit(tmp_path: Path) -> None:
    spec = {
        "resources": {"limits": {"memory": "64Mi"}},
        **run_command("import time; x = bytearray(400 * 2**20); time.sleep(30)"),
    }
    async with cluster(tmp_path, [NODE]) as sim:
        result = await outcome_of(sim, launch(sim, spec))
    assert (result.kind, result.retry) == ("PodOOMKilled", "task")
    assert result.message == "OOMKilled: the container exceeded its memory limit of 64Mi (queue hm)"


async def test_non_zero_exit_shows_the_last_log_lines(tmp_path: Path) -> None:
    code = (
        "import sys; print('loading video 7'); "
        "print('ValueError: no such video', file=sys.stderr); sys.exit(3)"
    )
    async with cluster(tmp_path, [NODE]) as sim:
        result = await outcome_of(sim, launch(sim, run_command(code)))
    assert (result.kind, result.retry) == ("PodFailed", "task")
    assert result.message.startswith("Exited with code 3 and wrote no result. Last log lines:")
    assert "ValueError: no such video" in result.message


async def test_without_the_log_the_termination_message_has_the_tail(tmp_path: Path) -> None:
    code = "import sys; print('ValueError: no such video', file=sys.stderr); sys.exit(4)"
    async with cluster(tmp_path, [NODE]) as sim:
        result = await outcome_of(sim, launch(sim, run_command(code)), read_log=False)
    assert result.message.startswith("Exited with code 4 and wrote no result. Last log lines:")
    assert "ValueError: no such video" in result.message  # FallbackToLogsOnError filled it in


async def test_deadline_names_the_timeout(tmp_path: Path) -> None:
    spec = {"timeoutSeconds": 1, **run_command("import time; time.sleep(60)")}
    async with cluster(tmp_path, [NODE]) as sim:
        result = await outcome_of(sim, launch(sim, spec))
    assert (result.kind, result.retry) == ("PodDeadlineExceeded", "task")
    assert result.message == "Deadline exceeded: the task ran longer than timeoutSeconds=1"


async def test_eviction_is_an_infrastructure_failure(tmp_path: Path) -> None:
    spec = {
        **run_command("import time; time.sleep(60)"),
        "podTemplate": {"spec": {"terminationGracePeriodSeconds": 2}},
    }
    async with cluster(tmp_path, [NODE]) as sim, watched_pods(sim) as seen:
        name = launch(sim, spec)
        pod = await until(lambda: running_pod(sim, name), "a running pod")
        sim.evict_pod("default", pod["metadata"]["name"])
        result = await outcome_of(sim, name, seen)
    assert (result.kind, result.retry) == ("PodEvicted", "infrastructure"), result
    assert result.message.startswith("Evicted from node highmem-1:")


async def test_node_loss(tmp_path: Path) -> None:
    async with cluster(tmp_path, [NODE], runtime="fake", fake_seconds=60.0) as sim, watched_pods(sim) as seen:
        name = launch(sim, {})
        await until(lambda: running_pod(sim, name), "a running pod")
        sim.remove_node("highmem-1")
        result = await outcome_of(sim, name, seen)
    assert (result.kind, result.retry) == ("NodeLost", "infrastructure"), result
    assert result.message.startswith("Node highmem-1 was lost: ")


async def test_gpu_task_without_a_gpu_node_shows_the_scheduler_reason(tmp_path: Path) -> None:
    spec = {"resources": {"limits": {"nvidia.com/gpu": 1}}}
    async with cluster(tmp_path, [NODE], runtime="fake") as sim:
        name = launch(sim, spec)
        reason = await until(lambda: next((pending_reason(p) for p in pods_of(sim, name)), None), "a reason")
        assert classify_job(job_of(sim, name), pods_of(sim, name), None) is None  # waiting, not hopeless
    assert reason.startswith("Unschedulable: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu")


async def test_image_pull_failure_fails_fast(tmp_path: Path) -> None:
    async with cluster(tmp_path, [NODE], runtime="fake", image_pull_error_pattern="nosuch/*") as sim:
        job = build_job(
            parse_profile("hm", {"image": "nosuch/app:1"}),
            TASK,
            namespace="default",
            default_image="x",
            settings_module="s",
        )
        sim.store.create(sim.jobs.rt, job)
        name = job["metadata"]["name"]
        result = await until(
            lambda: next((is_hopeless_waiting(p) for p in pods_of(sim, name)), None), "an image pull failure"
        )
    assert (result.kind, result.retry) == ("ImagePullFailed", None)
    assert result.message.startswith("Image pull failed for 'nosuch/app:1': ErrImagePull")
