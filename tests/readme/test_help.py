"""--help of the three commands lists every subcommand with every option, and the operator's says the
environment variable of each; the README's table of the operator's flags agrees with it."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from k8s_tasks.testing.__main__ import DEFAULT_NODES_FILE
from k8s_tasks.testing.sim import load_nodes
from k8s_tasks_operator.__main__ import describe_database
from k8s_tasks_operator.config import build_parser

ROOT = Path(__file__).resolve().parents[2]


def help_of(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "110"},  # no DJANGO_SETTINGS_MODULE: help needs none
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_operator_help_lists_run_and_crd_and_every_option_with_its_environment_variable() -> None:
    text = help_of("k8s_tasks_operator")
    assert "python -m k8s_tasks_operator [run] [options]" in text
    assert "python -m k8s_tasks_operator crd | kubectl apply -f -" in text
    for action in build_parser({})._actions:
        if action.option_strings == ["-h", "--help"]:
            continue
        flag = action.option_strings[-1]
        assert flag in text
        env = "K8S_TASKS_" + flag.removeprefix("--").upper().replace("-", "_")
        env = {"K8S_TASKS_BACKEND": "K8S_TASKS_BACKENDS"}.get(env, env)
        assert f"(env {env}" in " ".join(str(action.help).split()), flag
    for name in ("DJANGO_SETTINGS_MODULE", "K8S_TASKS_POD_ENV", "K8S_TASKS_SEALED_POD_ENV", "KUBECONFIG"):
        assert name in text
    assert help_of("k8s_tasks_operator", "run") == text


def test_the_readme_table_of_the_operator_agrees_with_its_help() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Running the operator", 1)[1].split("\n\n")[2]
    text = " ".join(help_of("k8s_tasks_operator").split())
    rows = [line for line in table.splitlines() if line.startswith("| `--")]
    assert len(rows) >= 11
    for row in rows:
        flag = re.match(r"\| `(--[a-z-]+)", row)
        env = re.search(r"\| `(K8S_TASKS_[A-Z_]+)`", row)
        assert flag and env, row
        assert flag.group(1) in text and env.group(1) in text, row
    assert "`K8S_TASKS_POD_ENV`" in table


def test_crd_help_is_help_not_the_crd() -> None:
    text = help_of("k8s_tasks_operator", "crd")
    assert text.startswith("usage: python -m k8s_tasks_operator crd")
    assert "kubectl apply -f -" in text and "apiVersion" not in text


def test_k8s_tasks_help_lists_every_command_with_its_options() -> None:
    text = help_of("k8s_tasks")
    for command in ("run", "status", "show", "logs", "cancel", "retry", "prune", "schedules"):
        assert f"usage: python -m k8s_tasks {command} " in text
    for option in ("--queue", "--since", "--no-cluster", "--follow", "--older-than", "--dry-run"):
        assert option in text
    assert "DJANGO_SETTINGS_MODULE" in text


def test_local_cluster_help_and_its_default_nodes() -> None:
    text = help_of("k8s_tasks.testing")
    assert "usage: python -m k8s_tasks.testing cluster" in text
    for option in ("--nodes", "--kubeconfig", "--workdir", "--port", "--audit-log"):
        assert option in text
    assert "PYTHONPATH" in text
    nodes = {node.name: node for node in load_nodes(DEFAULT_NODES_FILE)}
    assert {name: node.labels for name, node in nodes.items()} == {
        "general-1": {"pool": "general"},
        "highmem-1": {"pool": "highmem"},
        "gpu-1": {"pool": "gpu"},
    }
    assert nodes["gpu-1"].allocatable["nvidia.com/gpu"] == "1"
    assert nodes["gpu-1"].taints == ({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},)


def test_the_operator_log_names_the_database_never_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    databases = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/app/db.sqlite3"},
        "tasks": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "app",
            "HOST": "db.internal",
            "PORT": "5432",
            "USER": "app",
            "PASSWORD": "s3cret",
        },
    }
    monkeypatch.setattr(settings, "DATABASES", databases)
    assert describe_database("default") == "default (sqlite3 NAME=/srv/app/db.sqlite3)"
    assert describe_database("tasks") == "tasks (postgresql NAME=app at db.internal:5432)"


def test_the_readme_nodes_example_and_defaults(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text().split("### Nodes of the local cluster", 1)[1]
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "nodes.yaml").write_text(example)
    nodes = {node.name: node for node in load_nodes(tmp_path / "nodes.yaml")}
    assert nodes["cpu-1"].allocatable == {
        "cpu": "4",
        "memory": "8Gi",
        "pods": "110",
        "ephemeral-storage": "100Gi",
    }
    assert (
        nodes["gpu-1"].allocatable["nvidia.com/gpu"] == "1"
        and nodes["gpu-1"].taints[0]["effect"] == "NoSchedule"
    )
    for default in ('`cpu: "4"`', "`memory: 8Gi`", '`pods: "110"`', "`ephemeral-storage: 100Gi`"):
        assert default in text.split("```yaml", 1)[0]
    # The package's default layout is the demo's.
    demo = load_nodes(ROOT / "examples" / "demo" / "nodes.yaml")
    assert load_nodes(DEFAULT_NODES_FILE) == demo


def test_the_readme_links_only_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if "://" not in t]
    assert local and all(not t.startswith(("../", "/")) for t in local), local
    missing = [t for t in local if not (ROOT / t).exists()]
    assert missing == []
