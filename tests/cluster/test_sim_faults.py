"""Cluster behaviour (issue 3): unschedulable GPU pods, eviction, node loss, TTL, image pull faults."""

import asyncio

from .sim.support import (
    CPU_NODE,
    GPU_NODE,
    PY,
    condition,
    events_for,
    get,
    job_manifest,
    pods_of,
    poll,
    running_sim,
)

GPU_MESSAGE = (
    "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. "
    "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
)
SLEEP = [PY, "-c", "import time; time.sleep(60)"]


def scheduled(pod):
    return next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")


async def test_gpu_pod_pending_with_message_then_scheduled_when_node_appears(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        gpu = {"resources": {"limits": {"nvidia.com/gpu": "1"}}}
        tolerations = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
        manifest = job_manifest("train", [PY, "-c", "print('ok')"], container=gpu)
        manifest["spec"]["template"]["spec"]["tolerations"] = tolerations
        sim.store.create(sim.jobs.rt, manifest)
        pod = await poll(lambda: [p for p in pods_of(sim, "train") if p.get("status", {}).get("conditions")])
        cond = scheduled(pod[0])
        assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", GPU_MESSAGE)
        assert pod[0]["status"]["phase"] == "Pending"
        assert ("FailedScheduling", GPU_MESSAGE) in events_for(sim, pod[0]["metadata"]["name"])
        sim.add_node(GPU_NODE)
        await poll(lambda: condition(get(sim, "Job", "train"), "Complete"), what="the Job to complete")
        (done,) = pods_of(sim, "train")
        assert done["spec"]["nodeName"] == "gpu-1" and scheduled(done)["status"] == "True"


async def test_eviction_yields_disruption_target_and_pod_failure_policy_ignores_it(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        policy = {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
        manifest = job_manifest("ev", SLEEP, podFailurePolicy=policy)
        manifest["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 5
        sim.store.create(sim.jobs.rt, manifest)

        def running_pod():
            pods = [p for p in pods_of(sim, "ev") if p.get("status", {}).get("phase") == "Running"]
            return pods[0] if pods else None

        first = await poll(running_pod, what="a running pod")
        seen = []
        watch = sim.store.watch(sim.pods.rt, "default")
        sim.evict_pod("default", first["metadata"]["name"])
        async for kind, obj in watch:
            if obj["metadata"]["name"] == first["metadata"]["name"]:
                seen.append(obj)
            if kind == "DELETED" and obj["metadata"]["name"] == first["metadata"]["name"]:
                break
        watch.close()
        last = seen[-1]
        assert last["status"]["phase"] == "Failed" and last["status"]["reason"] == "Evicted"
        assert condition(last, "DisruptionTarget")["reason"] == "EvictionByEvictionAPI"
        terminated = last["status"]["containerStatuses"][0]["state"]["terminated"]
        assert terminated["exitCode"] == 143  # SIGTERM ended it within the grace period
        second = await poll(running_pod, what="a replacement pod")
        assert second["metadata"]["name"] != first["metadata"]["name"]
        job = get(sim, "Job", "ev")
        assert "failed" not in job["status"] and not condition(job, "Failed")


async def test_node_loss_fails_the_job_by_pod_failure_policy(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        policy = {"rules": [{"action": "FailJob", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
        sim.store.create(sim.jobs.rt, job_manifest("lost", SLEEP, podFailurePolicy=policy, backoffLimit=3))
        pod = await poll(lambda: [p for p in pods_of(sim, "lost") if p["status"].get("phase") == "Running"])
        sim.remove_node("cpu-1")
        job = await poll(lambda: condition(get(sim, "Job", "lost"), "Failed") and get(sim, "Job", "lost"))
        failed = condition(job, "Failed")
        assert failed["reason"] == "PodFailurePolicy"
        name = pod[0]["metadata"]["name"]
        expected = f"Pod default/{name} has condition DisruptionTarget matching FailJob rule at index 0"
        assert failed["message"] == expected
        assert get(sim, "Node", "cpu-1") is None


async def test_ttl_removes_finished_job_and_its_pods(tmp_path):
    # completionTime has whole seconds, so a 1 s TTL can expire a moment after Complete: watch, don't poll
    async with running_sim(tmp_path, [CPU_NODE], runtime="fake") as sim:
        jobs, pods = sim.store.watch(sim.jobs.rt, "default"), sim.store.watch(sim.pods.rt, "default")
        sim.store.create(sim.jobs.rt, job_manifest("brief", ["true"], ttlSecondsAfterFinished=1))
        seen = []
        async with asyncio.timeout(20):
            async for kind, job in jobs:
                seen.append((kind, condition(job, "Complete") is not None))
                if kind == "DELETED":
                    break
        jobs.close()
        assert ("MODIFIED", True) in seen and seen[-1][0] == "DELETED"
        await poll(lambda: not pods_of(sim, "brief"), within=10, what="the pods to go with the Job")
        pods.close()
        names = {obj["metadata"]["name"] for _, obj in await pods.batch(0) or []}
        assert len(names) == 1


async def test_image_pull_error_then_backoff(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE], runtime="fake", image_pull_error_pattern="*:broken") as sim:
        manifest = job_manifest("pull", ["true"], container={"image": "registry.local/app:broken"})
        sim.store.create(sim.jobs.rt, manifest)

        def reason():
            pods = pods_of(sim, "pull")
            statuses = pods[0].get("status", {}).get("containerStatuses") if pods else None
            return statuses and statuses[0]["state"].get("waiting", {}).get("reason")

        await poll(lambda: reason() == "ErrImagePull")
        await poll(lambda: reason() == "ImagePullBackOff")
        assert pods_of(sim, "pull")[0]["status"]["phase"] == "Pending"


async def test_fake_runtime_exit_code_annotation(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE], runtime="fake") as sim:
        manifest = job_manifest("fk", ["anything"])
        manifest["spec"]["template"]["metadata"] = {"annotations": {"k8s-tasks.io/fake-exit-code": "7"}}
        sim.store.create(sim.jobs.rt, manifest)
        await poll(lambda: condition(get(sim, "Job", "fk"), "Failed"))
        (pod,) = pods_of(sim, "fk")
        assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 7
