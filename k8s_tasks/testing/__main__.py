"""``python -m k8s_tasks.testing cluster --kubeconfig PATH [--nodes NODES.yaml] [--port N] ...``

Starts the local cluster, writes the kubeconfig once it is ready, and runs until SIGTERM or SIGINT.
"""

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from ..helptext import FullHelpParser
from .cluster import LocalCluster
from .gctune import freeze_periodically
from .sim import load_nodes

DEFAULT_NODES_FILE = Path(__file__).with_name("nodes.yaml")
DESCRIPTION = """A local Kubernetes cluster for your own tests and demos (the package's [testing] extra): the
real kubectl, helm, the kubernetes client and the operator talk to it over HTTPS. Each pod runs as a
process of this machine, in a directory of its own, with this process's PATH (its Python first) and
PYTHONPATH, then the pod's env: a task pod finds your project through PYTHONPATH (here, or passed by the
operator with K8S_TASKS_POD_ENV=PYTHONPATH). Every command and its options follow."""


def parser() -> argparse.ArgumentParser:
    root = FullHelpParser(
        prog="python -m k8s_tasks.testing",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("cluster", help="run a local Kubernetes cluster until SIGTERM or SIGINT")
    run.add_argument(
        "--nodes",
        type=Path,
        default=DEFAULT_NODES_FILE,
        help="NODES.yaml: a top-level nodes: list of {name, labels, taints, allocatable} (default: the "
        f"package's {DEFAULT_NODES_FILE.name}, nodes general-1, highmem-1 and gpu-1 labelled pool=general, "
        "highmem and gpu, gpu-1 tainted nvidia.com/gpu=present:NoSchedule with one nvidia.com/gpu)",
    )
    run.add_argument("--kubeconfig", type=Path, required=True, help="where to write the kubeconfig")
    run.add_argument("--host", default="127.0.0.1", help="address to serve the API on (127.0.0.1)")
    run.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    run.add_argument("--workdir", type=Path, help="pod working directories and logs (default: a temp dir)")
    run.add_argument(
        "--runtime",
        choices=("process", "fake"),
        default="process",
        help="process (default): each container's command runs on this machine; fake: pods only wait",
    )
    run.add_argument("--fake-seconds", type=float, default=0.0, help="fake runtime: how long a pod runs")
    run.add_argument("--fake-exit-code", type=int, default=0, help="fake runtime: the exit code of every pod")
    run.add_argument("--image-pull-error-pattern", help="images matching this regex fail with ErrImagePull")
    run.add_argument("--access-log", action="store_true", help="log every API request to stderr")
    run.add_argument(
        "--audit-log", type=Path, help="append one JSON line per API request (user, verb, resource, code)"
    )
    return root


async def serve(args: argparse.Namespace) -> None:
    nodes = load_nodes(args.nodes)
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
