"""The install commands of README.md and helm/k8s-tasks/README.md, read from the READMEs and run as written
with the real helm and kubectl against the local cluster; then the release's life: rollout status, helm
upgrade, helm rollback, kubectl scale, helm uninstall. The fake runtime runs the operator pod (its command
is only run by the process runtime: tests/chart/test_install.py)."""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from k8s_tasks.testing.cluster import LocalCluster
from tests.waiting import wait_until

from .helm import CHART, HELM, ROOT

KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
TOOLS = {"kubectl": KUBECTL, "helm": HELM}
Shell = Callable[..., subprocess.CompletedProcess[str]]

pytestmark = pytest.mark.cluster(runtime="fake")


def code_block(path: Path, heading: str, language: str = "") -> str:
    """The first fenced block (```language) after ``heading`` in a Markdown file."""
    text = path.read_text()
    rest = text[text.index(heading) :]
    start = rest.index(f"```{language}\n") + len(language) + 4
    return rest[start : rest.index("```", start)]


def commands(block: str) -> list[list[str]]:
    """Shell command lines of a block: continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    return [argv for line in joined.splitlines() if (argv := shlex.split(line, comments=True))]


@pytest.fixture
def shell(local_cluster: LocalCluster, tmp_path: Path) -> Shell:
    """Runs a command line as a user would in a checkout: `helm/...` paths work, my-queues.yaml is the
    chart README's example."""
    (tmp_path / "helm").symlink_to(ROOT / "helm")
    (tmp_path / "my-queues.yaml").write_text(code_block(CHART / "README.md", "`my-queues.yaml`", "yaml"))
    env = {**os.environ, "KUBECONFIG": str(local_cluster.kubeconfig_path), "HOME": str(tmp_path)}

    def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        tool = TOOLS[argv[0]]
        done = subprocess.run(
            [str(tool), *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        if check:
            assert done.returncode == 0, f"{shlex.join(argv)} failed:\n{done.stdout}{done.stderr}"
        return done

    return run


def secret_data(shell: Shell, namespace: str, name: str) -> dict[str, str]:
    secret = json.loads(shell("kubectl", "-n", namespace, "get", "secret", name, "-o", "json").stdout)
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def deployment(shell: Shell, namespace: str) -> dict:
    got = shell("kubectl", "-n", namespace, "get", "deployment", "tasks-k8s-tasks", "-o", "json").stdout
    return dict(json.loads(got))


def test_readme_install_then_upgrade_rollback_scale_uninstall(shell: Shell) -> None:
    for argv in commands(code_block(ROOT / "README.md", "### Install with Helm", "bash")):
        shell(*argv)
    assert secret_data(shell, "tasks", "app-database")["PGHOST"] == "db.internal"
    assert json.loads(shell("helm", "-n", "tasks", "status", "tasks", "-o", "json").stdout)["info"][
        "status"
    ] == ("deployed")
    queues = shell("kubectl", "-n", "tasks", "get", "taskqueues", "-o", "name").stdout.split()
    assert queues == [f"taskqueue.k8stasks.io/{q}" for q in ("default", "gpu", "highmem", "sandbox")]
    first = deployment(shell, "tasks")
    container = first["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example.com/myapp:1.4.2"
    assert first["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"

    shell(
        "helm",
        "upgrade",
        "tasks",
        "helm/k8s-tasks",
        "-n",
        "tasks",
        "--reuse-values",
        "--set",
        "operator.pollSeconds=3",
    )
    shell("kubectl", "-n", "tasks", "rollout", "status", "deployment/tasks-k8s-tasks", "--timeout=60s")
    upgraded = deployment(shell, "tasks")
    env = {e["name"]: e.get("value") for e in upgraded["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["K8S_TASKS_POLL_SECONDS"] == "3"
    assert upgraded["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"

    shell("helm", "rollback", "tasks", "1", "-n", "tasks")
    shell("kubectl", "-n", "tasks", "rollout", "status", "deployment/tasks-k8s-tasks", "--timeout=60s")
    back = deployment(shell, "tasks")
    assert back["spec"]["template"] == first["spec"]["template"]
    replica_sets = json.loads(shell("kubectl", "-n", "tasks", "get", "rs", "-o", "json").stdout)["items"]
    replicas = sorted(
        (rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"], rs["spec"]["replicas"])
        for rs in replica_sets
    )
    assert replicas == [("2", 0), ("3", 1)]  # the first ReplicaSet is current again, as revision 3

    shell("kubectl", "-n", "tasks", "scale", "deployment/tasks-k8s-tasks", "--replicas=2")
    shell("kubectl", "-n", "tasks", "rollout", "status", "deployment/tasks-k8s-tasks", "--timeout=60s")
    assert deployment(shell, "tasks")["status"]["readyReplicas"] == 2

    shell("helm", "uninstall", "tasks", "-n", "tasks")
    left = shell(
        "kubectl", "-n", "tasks", "get", "deploy,rs,role,rolebinding,sa,netpol,taskqueues", "-o", "name"
    )
    assert left.stdout.split() == ["serviceaccount/default"]
    wait_until(
        lambda: not shell("kubectl", "-n", "tasks", "get", "pods", "-o", "name").stdout, what="pods gone"
    )
    assert shell("kubectl", "get", "crd", "-o", "name").stdout.split() == [
        "customresourcedefinition.apiextensions.k8s.io/taskqueues.k8stasks.io",  # crds/ are kept
        "customresourcedefinition.apiextensions.k8s.io/taskschedules.k8stasks.io",
    ]


def test_chart_readme_install_and_its_refused_values(shell: Shell) -> None:
    for argv in commands(code_block(CHART / "README.md", "## Install", "sh")):
        shell(*argv)
    assert secret_data(shell, "shop", "shop-db") == {
        "PGHOST": "db.internal",
        "PGUSER": "shop",
        "PGPASSWORD": "...",
        "PGDATABASE": "shop",
    }
    shell("kubectl", "-n", "shop", "rollout", "status", "deployment/tasks-k8s-tasks", "--timeout=60s")
    pod_spec = deployment(shell, "shop")["spec"]["template"]["spec"]
    assert pod_spec["containers"][0]["envFrom"] == [{"secretRef": {"name": "shop-db"}}]

    example = code_block(CHART / "README.md", "Wrong values fail at install")
    command, *expected = example.strip().splitlines()
    refused = shell(*shlex.split(command.removeprefix("$ ")), check=False)
    assert refused.returncode != 0 and refused.stderr.strip().splitlines() == expected
