"""Benchmark: Job creates per second through the kubernetes Python client against the local cluster.

The cluster runs as its own process (``python -m k8s_tasks.testing cluster --runtime fake``), as an
operator would see it; this process creates Jobs from a few client threads and reports the rate. With the
fake runtime the simulation also schedules and finishes every pod while the creates are running; the
benchmark then waits until every Job is Complete and reports that time too, so a simulation that falls
behind the creates cannot hide. It also reports the CPU time the cluster process spent per Job, a figure
that other work on a shared machine disturbs much less than the wall-clock rate.

    .venv/bin/python bench/cluster_create.py [--jobs 3000] [--threads 4] [--fake-seconds 0.5] [--raw]
"""

import argparse
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kubernetes import client, config

from k8s_tasks.testing.cluster import cli_command


def job(name: str, suspend: bool = False) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": {"bench": "create"}},
        "spec": {
            "backoffLimit": 0,
            "suspend": suspend,
            "template": {
                "metadata": {"labels": {"bench": "create"}},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "main",
                            "image": "python:3.12",
                            "command": ["python", "-m", "k8s_tasks", "run", name],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ],
                },
            },
        },
    }


def create(api: client.BatchV1Api, name: str, raw: bool, suspend: bool) -> None:
    if raw:
        response = api.create_namespaced_job("default", job(name, suspend), _preload_content=False)
        body = response.read()
        response.release_conn()
        assert response.status == 201, body
    else:
        assert api.create_namespaced_job("default", job(name, suspend)).metadata.name == name


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


class CompletionWatch:
    """Watches the bench Jobs (one watch stream, as an operator would) and notes when ``count`` of
    them are Complete."""

    def __init__(self, api: client.BatchV1Api, count: int) -> None:
        self.count, self.done = count, 0
        self.finished_at: float | None = None
        self.all_done = threading.Event()
        self._complete: set[str] = set()
        self._response = api.list_namespaced_job(
            "default", label_selector="bench=create", watch=True, timeout_seconds=3600, _preload_content=False
        )
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        for line in self._response:
            event = json.loads(line)
            job = event["object"]
            name = job["metadata"]["name"]
            if name.startswith("bench-") and any(
                c.get("type") == "Complete" and c.get("status") == "True"
                for c in (job.get("status") or {}).get("conditions") or []
            ):
                self._complete.add(name)
                self.done = len(self._complete)
                if self.done >= self.count:
                    self.finished_at = time.perf_counter()
                    self.all_done.set()
                    break
        self._response.release_conn()


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise SystemExit(f"the cluster exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit("the cluster did not write its kubeconfig in time")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--fake-seconds", type=float, default=0.5)
    parser.add_argument(
        "--suspend",
        action="store_true",
        help="create suspended Jobs: measures the API server alone, with no pods for the simulation to run",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="_preload_content=False: skip the client's model deserialization of each response (3 ms a Job)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        nodes = workdir / "nodes.yaml"
        nodes.write_text(
            "nodes:\n"
            + "".join(
                f"  - name: node-{i}\n    allocatable: {{cpu: '64', memory: 256Gi, pods: '2000'}}\n"
                for i in range(4)
            )
        )
        kubeconfig = workdir / "kubeconfig"
        cluster = subprocess.Popen(
            cli_command(
                nodes,
                kubeconfig,
                "--runtime",
                "fake",
                "--fake-seconds",
                str(args.fake_seconds),
                "--workdir",
                str(workdir / "cluster"),
            ),
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        try:
            wait_for(kubeconfig, cluster)
            configuration = client.Configuration()
            config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
            configuration.connection_pool_maxsize = args.threads
            api = client.BatchV1Api(client.ApiClient(configuration))
            api.create_namespaced_job("default", job("warmup"))  # compile validators, open connections
            names = [f"bench-{i}" for i in range(args.jobs)]
            watch = (
                None
                if args.suspend
                else CompletionWatch(client.BatchV1Api(client.ApiClient(configuration)), args.jobs)
            )
            load = os.getloadavg()[0]
            cpu_before = cpu_seconds(cluster.pid)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(lambda n: create(api, n, args.raw, args.suspend), names))
            elapsed = time.perf_counter() - started
            mode = "raw responses" if args.raw else "deserialized V1Job responses"
            mode += ", suspended Jobs (no pods)" if args.suspend else ", each Job runs a fake pod"
            print(
                f"{args.jobs} Job creates in {elapsed:.2f}s with {args.threads} client threads, {mode}: "
                f"{args.jobs / elapsed:.0f} creates/s"
            )
            if watch is not None:
                watch.all_done.wait(timeout=max(60.0, args.jobs / 20))
                total = (watch.finished_at or time.perf_counter()) - started
                print(
                    f"{watch.done}/{args.jobs} Jobs Complete {total:.2f}s after the first create "
                    f"({watch.done / total:.0f} Jobs/s end to end; one client watch on the Jobs)"
                )
            user_after, system_after = cpu_seconds(cluster.pid)
            user, system = user_after - cpu_before[0], system_after - cpu_before[1]
            cpu = user + system
            print(
                f"cluster process CPU: {cpu:.2f}s (user {user:.2f}s, system {system:.2f}s), "
                f"{1000 * cpu / args.jobs:.2f} ms per Job "
                f"(1-minute load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, "
                f"{os.cpu_count()} CPUs)"
            )
        finally:
            cluster.send_signal(signal.SIGTERM)
            cluster.wait(timeout=60)


if __name__ == "__main__":
    main()
