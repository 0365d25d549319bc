"""The CLI ``python -m k8s_tasks.testing cluster``: a real process, its kubeconfig, kubectl, SIGTERM."""

import signal
import subprocess
import time
from pathlib import Path

from k8s_tasks.testing.cluster import cli_command
from tests.waiting import wait_until

from .conftest import KUBECTL, ROOT

NODES = """\
nodes:
  - name: gpu-1
    labels: {pool: gpu}
    taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
    allocatable: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "1", pods: "110"}
  - name: cpu-1
    labels: {pool: cpu}
"""


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    nodes, kubeconfig = tmp_path / "nodes.yaml", tmp_path / "kube" / "config"
    nodes.write_text(NODES)
    process = subprocess.Popen(
        cli_command(nodes, kubeconfig, "--workdir", str(tmp_path / "work")),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: kubeconfig.exists() or process.poll() is not None, what="the kubeconfig")
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        env = {"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
        out = subprocess.run(
            [str(KUBECTL), "get", "nodes", "-L", "pool"], env=env, capture_output=True, text=True, check=True
        ).stdout
        rows = sorted(line.split()[0] + " " + line.split()[-1] for line in out.splitlines()[1:])
        assert rows == ["cpu-1 cpu", "gpu-1 gpu"]
        taints = subprocess.run(
            [str(KUBECTL), "get", "node", "gpu-1", "-o", "jsonpath={.spec.taints[0].key}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert taints == "nvidia.com/gpu"
    finally:
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = process.wait(timeout=30)
    assert code == 0 and time.monotonic() - started < 10


def test_cli_reports_a_bad_nodes_file(tmp_path: Path) -> None:
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text("nodes:\n  - labels: {pool: gpu}\n")
    result = subprocess.run(
        cli_command(nodes, tmp_path / "config"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "error:" in result.stderr and "name" in result.stderr
    assert not (tmp_path / "config").exists()
