"""The demo's configuration, read in one place: command-line flags, then environment, then defaults."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = DEMO_DIR.parent
REPO_ROOT = EXAMPLES_DIR.parent
SETTINGS_MODULE = "demo_project.settings"
# Environment the task pods need: the operator passes these to every pod (K8S_TASKS_POD_ENV).
POD_ENV_NAMES = (
    "K8S_DEMO_WORKDIR",
    "K8S_DEMO_DB",
    "K8S_DEMO_DB_NAME",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
)


@dataclass(frozen=True)
class DemoConfig:
    workdir: Path
    examples: tuple[str, ...]
    """Example folder names to run, e.g. ("01-hello",); all of them by default."""
    deadline_seconds: float
    database: str
    """sqlite (default) or postgres."""
    database_name: str
    kubectl: str
    python: str
    nodes_file: Path
    queues_file: Path
    fast_schedules: bool = False
    """Run the operator's schedule clock ahead so the first tick comes at once (tests), not at the next
    whole minute."""

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"


def all_examples() -> list[str]:
    return sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir() and p.name[:2].isdigit())


def find_kubectl(environ: dict[str, str]) -> str:
    bundled = REPO_ROOT / ".tools" / "bin" / "kubectl"
    if bundled.is_file():
        return str(bundled)
    found = shutil.which("kubectl", path=environ.get("PATH"))
    if found is None:
        raise SystemExit(
            "kubectl not found: run `make setup` (it installs .tools/bin/kubectl) or put it on PATH"
        )
    return found


def parse_args(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> DemoConfig:
    env = dict(os.environ if environ is None else environ)
    known = all_examples()
    parser = argparse.ArgumentParser(
        prog="run_demo.py",
        description="Start a local cluster and the operator, run the examples, show them live, verify them.",
    )
    parser.add_argument(
        "--example",
        action="append",
        choices=known,
        help="run only this example (repeatable); default: all of them",
    )
    parser.add_argument(
        "--workdir",
        default=env.get("K8S_DEMO_WORKDIR") or str(REPO_ROOT / "demo-run"),
        help="database, kubeconfig, logs and mail go here (default: <repo>/demo-run)",
    )
    parser.add_argument("--deadline", type=float, default=float(env.get("K8S_DEMO_DEADLINE", "150")))
    parser.add_argument(
        "--database", choices=["sqlite", "postgres"], default=env.get("K8S_DEMO_DB", "sqlite")
    )
    parser.add_argument("--database-name", default=env.get("K8S_DEMO_DB_NAME", "k8s_tasks_demo"))
    parser.add_argument(
        "--fast-schedules",
        action="store_true",
        help="07-nightly-report's first tick seconds after start, not at the next whole minute "
        "(the operator's schedule clock runs that much ahead: K8S_TASKS_SCHEDULE_CLOCK=offset:...)",
    )
    args = parser.parse_args(argv)
    return DemoConfig(
        workdir=Path(args.workdir).resolve(),
        examples=tuple(args.example or known),
        deadline_seconds=args.deadline,
        database=args.database,
        database_name=args.database_name,
        kubectl=find_kubectl(env),
        python=sys.executable,
        nodes_file=DEMO_DIR / "nodes.yaml",
        queues_file=DEMO_DIR / "queues.yaml",
        fast_schedules=args.fast_schedules,
    )


def child_env(config: DemoConfig, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the cluster, the operator and (through them) the task pods."""
    env = dict(os.environ if base is None else base)
    bin_dir = str(Path(config.python).parent)
    env["PATH"] = os.pathsep.join([bin_dir, str(Path(config.kubectl).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join([str(DEMO_DIR), str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    env["PYTHONUNBUFFERED"] = "1"
    env["K8S_DEMO_WORKDIR"] = str(config.workdir)
    env["K8S_DEMO_DB"] = config.database
    env["K8S_DEMO_DB_NAME"] = config.database_name
    env["KUBECONFIG"] = str(config.kubeconfig)
    env["K8S_TASKS_POD_ENV"] = ",".join(name for name in POD_ENV_NAMES if name in env)
    env["K8S_TASKS_POLL_SECONDS"] = "0.3"
    env["K8S_TASKS_STATUS_SECONDS"] = "1"
    env["K8S_TASKS_IMAGE"] = "k8s-tasks-demo:latest"
    return env
