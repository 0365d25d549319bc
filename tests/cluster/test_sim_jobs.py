"""Cluster behaviour (issue 3), driven through the store: Jobs run as real processes on simulated nodes."""

from k8s_tasks.testing.sim.logs import log_path

from .sim.support import CPU_NODE, PY, condition, events_for, get, job_manifest, pods_of, poll, running_sim


async def test_print_42_completes_and_logs_42(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        jobs = sim.jobs.rt
        sim.store.create(jobs, job_manifest("hello", [PY, "-c", "print(42)"]))
        job = await poll(lambda: condition(get(sim, "Job", "hello"), "Complete") and get(sim, "Job", "hello"))
        status = job["status"]
        assert status["succeeded"] == 1 and "failed" not in status and status["completionTime"]
        assert condition(job, "SuccessCriteriaMet")["reason"] == "CompletionsReached"
        (pod,) = pods_of(sim, "hello")
        assert pod["status"]["phase"] == "Succeeded"
        state = pod["status"]["containerStatuses"][0]["state"]["terminated"]
        assert state["exitCode"] == 0 and state["reason"] == "Completed"
        assert pod["metadata"]["ownerReferences"][0]["uid"] == job["metadata"]["uid"]
        logs = log_path(sim.log_root, "default", pod["metadata"]["name"], "main").read_text()
        assert logs == "42\n"
        reasons = [r for r, _ in events_for(sim, pod["metadata"]["name"])]
        assert reasons == ["Scheduled", "Pulled", "Created", "Started"]
        assert [r for r, _ in events_for(sim, "hello")] == ["SuccessfulCreate", "Completed"]


async def test_exit_3_fails_within_backoff_limit(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE], job_backoff_seconds=0.05) as sim:
        manifest = job_manifest("bad", [PY, "-c", "import sys; sys.exit(3)"], backoffLimit=1)
        sim.store.create(sim.jobs.rt, manifest)
        job = await poll(lambda: condition(get(sim, "Job", "bad"), "Failed") and get(sim, "Job", "bad"))
        failed = condition(job, "Failed")
        assert failed["reason"] == "BackoffLimitExceeded"
        assert failed["message"] == "Job has reached the specified backoff limit"
        assert condition(job, "FailureTarget")["reason"] == "BackoffLimitExceeded"
        assert job["status"]["failed"] == 2 and "completionTime" not in job["status"]
        pods = pods_of(sim, "bad")
        assert len(pods) == 2
        for pod in pods:
            terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
            assert (pod["status"]["phase"], terminated["exitCode"], terminated["reason"]) == (
                "Failed",
                3,
                "Error",
            )


async def test_memory_limit_ends_oom_killed(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        hog = "import time; b = b'x' * (200 * 2**20); time.sleep(30)"
        container = {"resources": {"limits": {"memory": "64Mi"}}}
        sim.store.create(sim.jobs.rt, job_manifest("hog", [PY, "-c", hog], container=container))
        await poll(lambda: condition(get(sim, "Job", "hog"), "Failed"), what="the Job to fail")
        (pod,) = pods_of(sim, "hog")
        terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
        assert (terminated["reason"], terminated["exitCode"]) == ("OOMKilled", 137)


async def test_active_deadline_ends_in_deadline_exceeded(tmp_path):
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        manifest = job_manifest("slow", [PY, "-c", "import time; time.sleep(60)"], activeDeadlineSeconds=1)
        manifest["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 1
        sim.store.create(sim.jobs.rt, manifest)
        job = await poll(lambda: condition(get(sim, "Job", "slow"), "Failed") and get(sim, "Job", "slow"))
        failed = condition(job, "Failed")
        assert (failed["reason"], failed["message"]) == (
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        )
        assert [r for r, _ in events_for(sim, "slow")][-2:] == ["SuccessfulDelete", "DeadlineExceeded"]
        await poll(lambda: not pods_of(sim, "slow"), what="the pod to be deleted")


async def test_termination_message_and_env(tmp_path):
    script = (
        "import os; open(os.environ['K8S_TASKS_TERMINATION_LOG'], 'w').write('bye ' + os.environ['ME'] "
        "+ ' on ' + os.environ['NODE'] + ' ' + os.environ['GREETING'])"
    )
    env = [
        {"name": "ME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "GREETING", "value": "hi $(NODE)"},
    ]
    async with running_sim(tmp_path, [CPU_NODE]) as sim:
        sim.store.create(sim.jobs.rt, job_manifest("msg", [PY, "-c", script], container={"env": env}))
        await poll(lambda: condition(get(sim, "Job", "msg"), "Complete"))
        (pod,) = pods_of(sim, "msg")
        message = pod["status"]["containerStatuses"][0]["state"]["terminated"]["message"]
        assert message == f"bye {pod['metadata']['name']} on cpu-1 hi cpu-1"
