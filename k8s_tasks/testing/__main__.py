"""``python -m k8s_tasks.testing cluster --nodes NODES.yaml --kubeconfig PATH [--port N] ...``

Starts the local cluster, writes the kubeconfig once it is ready, and runs until SIGTERM or SIGINT.
"""

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .cluster import DEFAULT_NODES, LocalCluster
from .gctune import freeze_periodically
from .sim import load_nodes


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m k8s_tasks.testing", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("cluster", help="run a local Kubernetes cluster until SIGTERM")
    run.add_argument("--nodes", type=Path, help="NODES.yaml (default: one node named node-1)")
    run.add_argument("--kubeconfig", type=Path, required=True, help="where to write the kubeconfig")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    run.add_argument("--workdir", type=Path, help="pod working directories and logs (default: a temp dir)")
    run.add_argument("--runtime", choices=("process", "fake"), default="process")
    run.add_argument("--fake-seconds", type=float, default=0.0, help="fake runtime: how long a pod runs")
    run.add_argument("--fake-exit-code", type=int, default=0, help="fake runtime: the exit code of every pod")
    run.add_argument("--image-pull-error-pattern", help="images matching this regex fail with ErrImagePull")
    run.add_argument("--access-log", action="store_true", help="log every API request to stderr")
    run.add_argument(
        "--audit-log", type=Path, help="append one JSON line per API request (user, verb, resource, code)"
    )
    return root


async def serve(args: argparse.Namespace) -> None:
    nodes = load_nodes(args.nodes) if args.nodes else list(DEFAULT_NODES)
    cluster = LocalCluster(
        nodes,
        workdir=args.workdir,
        kubeconfig_path=args.kubeconfig,
        host=args.host,
        port=args.port,
        runtime=args.runtime,
        fake_seconds=args.fake_seconds,
        fake_exit_code=args.fake_exit_code,
        image_pull_error_pattern=args.image_pull_error_pattern,
        access_log=args.access_log,
        audit_path=args.audit_log,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await cluster.start()
    collector = asyncio.ensure_future(freeze_periodically(first=0.0))  # this process is the cluster's own
    print(f"local cluster ready at {cluster.url}; kubeconfig: {cluster.kubeconfig_path}", flush=True)
    try:
        await stop.wait()
    finally:
        collector.cancel()
        await cluster.stop()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        asyncio.run(serve(args))
    except ValueError as exc:  # a bad NODES.yaml or option: say which, do not dump a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
