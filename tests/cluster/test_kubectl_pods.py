"""kubectl on running work (needs the simulation): logs, wait, get -w, describe with events."""

import queue
import subprocess
import threading
import time

import yaml

from .conftest import KUBECTL, PY, job_manifest


def test_job_printing_42_completes_and_kubectl_logs_prints_it(kubectl) -> None:
    kubectl("create", "-f", "-", input=yaml.safe_dump(job_manifest("answer", [PY, "-c", "print(42)"])))
    assert (
        "condition met" in kubectl("wait", "--for=condition=complete", "job/answer", "--timeout=30s").stdout
    )
    assert kubectl("logs", "job/answer").stdout == "42\n"
    row = kubectl("get", "job", "answer", "--no-headers").stdout.split()
    assert row[:3] == ["answer", "Complete", "1/1"] and row[3].endswith("s")


def test_logs_follow_and_tail(kubectl) -> None:
    code = "import time\nfor i in range(5):\n    print(i, flush=True)\n    time.sleep(0.2)"
    kubectl("create", "-f", "-", input=yaml.safe_dump(job_manifest("counter", [PY, "-c", code])))
    kubectl("wait", "--for=jsonpath={.status.active}=1", "job/counter", "--timeout=30s")
    followed = kubectl("logs", "-f", "job/counter", timeout=30).stdout  # ends when the pod ends
    assert followed == "0\n1\n2\n3\n4\n"
    assert kubectl("logs", "job/counter", "--tail=2").stdout == "3\n4\n"


def test_wait_for_failed_job(kubectl) -> None:
    kubectl(
        "create", "-f", "-", input=yaml.safe_dump(job_manifest("three", [PY, "-c", "raise SystemExit(3)"]))
    )
    kubectl("wait", "--for=condition=failed", "job/three", "--timeout=30s")
    pod_status = kubectl("get", "pods", "-l", "job-name=three", "--no-headers").stdout.split()
    assert pod_status[2] == "Error"


def test_describe_shows_events(kubectl) -> None:
    kubectl("create", "-f", "-", input=yaml.safe_dump(job_manifest("told", [PY, "-c", "pass"])))
    kubectl("wait", "--for=condition=complete", "job/told", "--timeout=30s")
    job = kubectl("describe", "job", "told").stdout
    assert "Events:" in job and "SuccessfulCreate" in job and "Created pod: told-" in job
    pod = kubectl("describe", "pods", "-l", "job-name=told").stdout
    assert "Scheduled" in pod and "Successfully assigned default/told-" in pod


def test_get_watch_streams_job_changes(kubectl, kube_env) -> None:
    manifest = job_manifest("watched", [PY, "-c", "pass"], suspend=True)
    kubectl("create", "-f", "-", input=yaml.safe_dump(manifest))
    watcher = subprocess.Popen(
        [str(KUBECTL), "get", "jobs", "-w"],
        env=kube_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True).start()
    seen: list[str] = []

    def read_until(word: str) -> None:
        deadline = time.monotonic() + 30
        while not any(word in line for line in seen):
            assert time.monotonic() < deadline, f"kubectl get -w never showed {word}: {seen}"
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue

    try:
        read_until("Suspended")  # the watch is running: now let the Job go
        kubectl("patch", "job", "watched", "--type=merge", "-p", '{"spec": {"suspend": false}}')
        read_until("Complete")
        assert seen[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
        assert seen[1].split()[:3] == ["watched", "Suspended", "0/1"]
        assert seen[-1].split()[:3] == ["watched", "Complete", "1/1"]
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
