"""The operator's configuration, read in one place: command-line flags over environment variables."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field

DEFAULT_LIVENESS = "http://0.0.0.0:8080/healthz"


@dataclass(frozen=True)
class OperatorConfig:
    """Everything the operator needs to know besides Django's settings."""

    namespace: str = "default"
    """The namespace watched for TaskQueues and where Jobs are created."""
    image: str = "k8s-tasks-app:latest"
    """Default task image (the app's own image) for queues that set none."""
    settings_module: str = ""
    """DJANGO_SETTINGS_MODULE passed to task pods."""
    poll_seconds: float = 1.0
    """How often each queue looks for READY rows when no notification wakes it."""
    status_seconds: float = 2.0
    """How often TaskQueue status counts are refreshed (patched only when they change)."""
    liveness: str | None = None
    """kopf's liveness endpoint, e.g. http://0.0.0.0:8080/healthz."""
    backend_alias: str = "default"
    """The TASKS alias whose rows this operator dispatches."""
    extra_env: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Extra plain env for every task pod (names from K8S_TASKS_POD_ENV, values from this process)."""


def parse_args(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> OperatorConfig:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m k8s_tasks_operator", description="Run the k8s-tasks operator."
    )
    parser.add_argument(
        "--namespace", default=env.get("K8S_TASKS_NAMESPACE") or env.get("POD_NAMESPACE") or "default"
    )
    parser.add_argument("--image", default=env.get("K8S_TASKS_IMAGE", "k8s-tasks-app:latest"))
    parser.add_argument("--poll-seconds", type=float, default=float(env.get("K8S_TASKS_POLL_SECONDS", "1.0")))
    parser.add_argument(
        "--status-seconds", type=float, default=float(env.get("K8S_TASKS_STATUS_SECONDS", "2.0"))
    )
    parser.add_argument("--liveness", default=env.get("K8S_TASKS_LIVENESS"))
    parser.add_argument("--backend", default=env.get("K8S_TASKS_BACKEND", "default"))
    args = parser.parse_args(argv)
    passthrough = [name for name in env.get("K8S_TASKS_POD_ENV", "").split(",") if name]
    return OperatorConfig(
        namespace=args.namespace,
        image=args.image,
        settings_module=env.get("DJANGO_SETTINGS_MODULE", ""),
        poll_seconds=args.poll_seconds,
        status_seconds=args.status_seconds,
        liveness=args.liveness,
        backend_alias=args.backend,
        extra_env=tuple((name, env[name]) for name in passthrough if name in env),
    )
