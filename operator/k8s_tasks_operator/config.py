"""The operator's configuration, read in one place: command-line flags over environment variables."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from k8s_tasks.durations import parse_age

DEFAULT_LIVENESS = "http://0.0.0.0:8080/healthz"


@dataclass(frozen=True)
class OperatorConfig:
    """Everything the operator needs to know besides Django's settings."""

    namespace: str = "default"
    """The namespace watched for TaskQueues and where Jobs are created (see served.resolve)."""
    namespace_source: str = "default"
    """Where `namespace` came from: "--namespace", "K8S_TASKS_NAMESPACE", "POD_NAMESPACE" or "default"
    (only the first two win over the backends' OPTIONS["NAMESPACE"])."""
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
    backends: tuple[str, ...] = ()
    """The TASKS aliases whose rows this operator serves; () serves every KubernetesBackend alias."""
    resync_seconds: float = 30.0
    """How often every unfinished row is compared with the Jobs that exist (the level-triggered resync)."""
    claim_grace_seconds: float = 5.0
    """How long a claimed row may be without its Job (the claiming operator is creating it) before the
    resync creates it; a duplicate create is harmless (AlreadyExists), the grace only saves requests."""
    pod_security: str = "restricted"
    """The Pod Security Standards level every queue's final pod spec is checked against
    (K8S_TASKS_POD_SECURITY: restricted, baseline or privileged); a relaxed level is logged and shown in
    every TaskQueue's status."""
    stale_job_seconds: float = 30.0
    """How long an unfinished Job may outlive its row's attempt (its pod is exiting) before it is deleted."""
    extra_env: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Extra plain env for every task pod that is not sealed (names from K8S_TASKS_POD_ENV, values from this
    process): where its database is, for example."""
    sealed_extra_env: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Extra plain env for sealed pods (K8S_TASKS_SEALED_POD_ENV; none by default: they get nothing of the
    operator's environment, and no database settings)."""
    metrics: tuple[str, int] | None = None
    """(host, port) where Prometheus metrics are served at /metrics; None: no metrics endpoint."""
    prune_after: timedelta | None = None
    """Finished tasks older than this are deleted on a schedule (K8S_TASKS_PRUNE_AFTER, e.g. 30d); None:
    never (the default)."""
    prune_seconds: float = 300.0
    """How often the operator prunes, when prune_after is set (K8S_TASKS_PRUNE_SECONDS)."""


def parse_address(value: str, source: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::]:9090` for IPv6; `:9090` for every interface) as (host, port). `source` names
    the flag or variable in the error."""
    host, sep, port = value.strip().rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    if not (
        sep and port.isascii() and port.isdigit() and 0 < int(port) < 65536 and (bracketed or ":" not in host)
    ):
        raise ValueError(
            f"{source}={value!r} is not an address to serve metrics on: give HOST:PORT, e.g. 0.0.0.0:9090 "
            "(every interface), 127.0.0.1:9090 or [::]:9090, with a port from 1 to 65535; "
            "leave it unset to serve no metrics"
        )
    return (host[1:-1] if bracketed else host) or "0.0.0.0", int(port)


USAGE = """python -m k8s_tasks_operator [run] [options]
       python -m k8s_tasks_operator crd"""
DESCRIPTION = """commands:
  run (the default)  run the operator: serve the TaskQueues of one namespace, run each task as a Job
  crd                print the CustomResourceDefinitions (TaskQueue, TaskSchedule) as YAML:
                     python -m k8s_tasks_operator crd | kubectl apply -f -

run needs DJANGO_SETTINGS_MODULE and your project importable (run it in your project's directory).
Every option can be set by the environment variable named in its help; the option wins."""
EPILOG = """environment without an option:
  DJANGO_SETTINGS_MODULE    your project's settings (required); passed to every task pod
  K8S_TASKS_POD_ENV         names of this process's variables (comma-separated) copied into every task
                            pod that is not sealed, e.g. PYTHONPATH,DATABASE_URL
  K8S_TASKS_SEALED_POD_ENV  the same for sealed pods (network: isolated); none by default
  POD_NAMESPACE             the namespace when neither --namespace nor the backends' OPTIONS name one
  KUBECONFIG                the cluster to use; in a pod, its ServiceAccount
  K8S_TASKS_SCHEDULE_CLOCK  tests only: the TaskSchedules' clock (file:PATH or offset:SECONDS)"""


def build_parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m k8s_tasks_operator",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--namespace",
        help="namespace of the TaskQueues and Jobs (env K8S_TASKS_NAMESPACE; default: the backends' "
        "OPTIONS['NAMESPACE'], else POD_NAMESPACE, else default)",
    )
    parser.add_argument(
        "--backend",
        action="append",
        metavar="ALIAS",
        help="a TASKS alias to serve, repeatable (env K8S_TASKS_BACKENDS, comma-separated); "
        "default: every alias whose BACKEND is k8s_tasks.backend.KubernetesBackend",
    )
    parser.add_argument(
        "--image",
        default=env.get("K8S_TASKS_IMAGE", "k8s-tasks-app:latest"),
        help="task image for queues that name none (env K8S_TASKS_IMAGE; default k8s-tasks-app:latest)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=float(env.get("K8S_TASKS_POLL_SECONDS", "1.0")),
        help="how often READY rows are looked for without a wake-up (env K8S_TASKS_POLL_SECONDS; "
        "default 1; PostgreSQL NOTIFYs at once)",
    )
    parser.add_argument(
        "--status-seconds",
        type=float,
        default=float(env.get("K8S_TASKS_STATUS_SECONDS", "2.0")),
        help="how often cancels, pending limits and TaskQueue status are looked at "
        "(env K8S_TASKS_STATUS_SECONDS; default 2)",
    )
    parser.add_argument(
        "--resync-seconds",
        type=float,
        default=float(env.get("K8S_TASKS_RESYNC_SECONDS", "30")),
        help="how often every unfinished task is compared with the Jobs that exist "
        "(env K8S_TASKS_RESYNC_SECONDS; default 30)",
    )
    parser.add_argument(
        "--liveness",
        metavar="URL",
        default=env.get("K8S_TASKS_LIVENESS"),
        help=f"serve kopf's liveness endpoint there, e.g. {DEFAULT_LIVENESS} (env K8S_TASKS_LIVENESS; "
        "default off)",
    )
    parser.add_argument(
        "--metrics",
        metavar="HOST:PORT",
        help="serve Prometheus metrics at /metrics (env K8S_TASKS_METRICS; default off)",
    )
    parser.add_argument(
        "--pod-security",
        choices=("restricted", "baseline", "privileged"),
        default=env.get("K8S_TASKS_POD_SECURITY", "restricted"),
        help="the Pod Security Standards level task pods are held to (env K8S_TASKS_POD_SECURITY; default "
        "restricted); relaxing it is logged and shown in every TaskQueue's status",
    )
    parser.add_argument(
        "--prune-after",
        metavar="AGE",
        default=env.get("K8S_TASKS_PRUNE_AFTER", ""),
        help="delete finished tasks that finished longer ago than AGE (30d, 12h, ...), in batches, every "
        "--prune-seconds (env K8S_TASKS_PRUNE_AFTER; default: never)",
    )
    parser.add_argument(
        "--prune-seconds",
        type=float,
        default=float(env.get("K8S_TASKS_PRUNE_SECONDS", "300")),
        help="how often to prune when --prune-after is set (env K8S_TASKS_PRUNE_SECONDS; default 300)",
    )
    return parser


def parse_args(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> OperatorConfig:
    env = os.environ if environ is None else environ
    parser = build_parser(env)
    args = parser.parse_args(argv)
    prune_after = None
    if args.prune_after:
        try:
            prune_after = parse_age(args.prune_after, "--prune-after / K8S_TASKS_PRUNE_AFTER")
        except ValueError as exc:
            parser.error(str(exc))
    if args.prune_seconds <= 0:
        parser.error(f"--prune-seconds={args.prune_seconds}: give a number of seconds > 0, e.g. 300")
    metrics = None
    source, address = (
        ("--metrics", args.metrics) if args.metrics else ("K8S_TASKS_METRICS", env.get("K8S_TASKS_METRICS"))
    )
    if address:
        try:
            metrics = parse_address(address, source)
        except ValueError as exc:
            parser.error(str(exc))
    passthrough = [name for name in env.get("K8S_TASKS_POD_ENV", "").split(",") if name]
    sealed_passthrough = [name for name in env.get("K8S_TASKS_SEALED_POD_ENV", "").split(",") if name]
    namespace, source = next(
        (value, name)
        for value, name in (
            (args.namespace, "--namespace"),
            (env.get("K8S_TASKS_NAMESPACE"), "K8S_TASKS_NAMESPACE"),
            (env.get("POD_NAMESPACE"), "POD_NAMESPACE"),
            ("default", "default"),
        )
        if value
    )
    backends = args.backend or [a.strip() for a in env.get("K8S_TASKS_BACKENDS", "").split(",") if a.strip()]
    if args.resync_seconds <= 0:
        parser.error(f"--resync-seconds={args.resync_seconds}: give a number of seconds > 0, e.g. 30")
    return OperatorConfig(
        namespace=namespace,
        namespace_source=source,
        image=args.image,
        settings_module=env.get("DJANGO_SETTINGS_MODULE", ""),
        poll_seconds=args.poll_seconds,
        status_seconds=args.status_seconds,
        liveness=args.liveness,
        backends=tuple(backends),
        resync_seconds=args.resync_seconds,
        pod_security=args.pod_security,
        extra_env=tuple((name, env[name]) for name in passthrough if name in env),
        sealed_extra_env=tuple((name, env[name]) for name in sealed_passthrough if name in env),
        metrics=metrics,
        prune_after=prune_after,
        prune_seconds=args.prune_seconds,
    )
