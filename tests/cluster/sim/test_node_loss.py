"""Node loss on the toleration clock: a node that stops posting status is marked unreachable and tainted,
its pods are evicted after their tolerationSeconds (the 300 s admission default, or what the pod sets),
a pod that tolerates the taint forever stays, and deleting a Node removes its pods at once (PodGC)."""

import time

from k8s_tasks.testing.sim.nodeloss import UNREACHABLE

from .support import CPU_NODE, PY, condition, events_for, get, job_manifest, pods_of, poll, running_sim

SLEEP = [PY, "-c", "import time; time.sleep(120)"]


def unreachable(seconds: int | None) -> dict:
    toleration = {"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}
    return toleration if seconds is None else {**toleration, "tolerationSeconds": seconds}


def running(sim, job: str):
    pods = [p for p in pods_of(sim, job) if (p.get("status") or {}).get("phase") == "Running"]
    return pods[0] if pods else None


async def test_a_lost_node_is_tainted_and_its_pods_go_after_their_toleration(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE], runtime="fake", fake_seconds=120) as sim:
        specs = {"quick": [unreachable(1)], "default": [], "forever": [unreachable(None)]}
        for name, tolerations in specs.items():
            sim.store.create(sim.jobs.rt, job_manifest(name, SLEEP, pod_spec={"tolerations": tolerations}))
        pods = {name: await poll(lambda n=name: running(sim, n), what=f"{name} running") for name in specs}
        admitted = pods["default"]["spec"]["tolerations"]
        assert {
            "key": UNREACHABLE,
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        } in admitted

        lost_at = time.monotonic()
        sim.lose_node("cpu-1")
        node = await poll(lambda: (n := get(sim, "Node", "cpu-1")) and n["spec"].get("taints") and n)
        assert [(t["key"], t["effect"]) for t in node["spec"]["taints"]] == [
            (UNREACHABLE, "NoSchedule"),
            (UNREACHABLE, "NoExecute"),
        ]
        ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
        assert (ready["status"], ready["reason"], ready["message"]) == (
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        )

        quick = pods["quick"]["metadata"]["name"]
        gone = await poll(lambda: get(sim, "Pod", quick) is None and time.monotonic(), what="quick evicted")
        assert gone - lost_at >= 1.0  # not at once: after its tolerationSeconds
        assert ("TaintManagerEviction", f"Marking for deletion Pod default/{quick}") in events_for(sim, quick)
        failed = await poll(lambda: condition(get(sim, "Job", "quick"), "Failed"), what="the Job to fail")
        assert failed["reason"] == "BackoffLimitExceeded"
        for name in ("default", "forever"):  # 300 s to go, and forever
            pod = get(sim, "Pod", pods[name]["metadata"]["name"])
            assert pod is not None and not pod["metadata"].get("deletionTimestamp")
            assert next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")["status"] == "False"


async def test_a_deleted_node_takes_its_pods_at_once(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE], runtime="fake", fake_seconds=120) as sim:
        sim.store.create(sim.jobs.rt, job_manifest("lost", SLEEP))
        pod = await poll(lambda: running(sim, "lost"), what="a running pod")
        seen = sim.store.watch(sim.pods.rt, "default")
        sim.remove_node("cpu-1")
        last = None
        async for kind, obj in seen:
            if obj["metadata"]["name"] == pod["metadata"]["name"]:
                last = obj
                if kind == "DELETED":
                    break
        seen.close()
        assert last is not None and last["status"]["phase"] == "Failed"
        target = condition(last, "DisruptionTarget")
        assert (target["reason"], target["message"]) == ("DeletionByPodGC", "PodGC: node no longer exists")
        await poll(lambda: get(sim, "Node", "cpu-1") is None, what="the Node to go")
