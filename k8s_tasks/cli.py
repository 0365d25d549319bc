"""The command line shared by ``python -m k8s_tasks`` and the management commands."""

import argparse
import os
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m k8s_tasks", description="k8s-tasks commands")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one task (the entrypoint of a task pod)")
    run.add_argument("result_id", help="the id of the TaskResult to run")
    status = commands.add_parser("status", help="queue depths and the most recent tasks")
    status.add_argument("-n", "--limit", type=int, default=20, help="how many recent tasks to list")
    return parser


def run_command(result_id: str) -> int:
    """A task pod's entrypoint: sealed (K8S_TASKS_SEALED=1, no database) or with the database."""
    if os.environ.get("K8S_TASKS_SEALED") == "1":
        from . import sealed

        return sealed.main(result_id, os.environ)
    from .runner import main

    return main(result_id)


def status_command(limit: int) -> int:
    from .status import render_status

    print(render_status(limit=limit))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        options = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        print(
            "k8s-tasks: DJANGO_SETTINGS_MODULE is not set; set it to your project's settings module",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    if options.command == "run":
        return run_command(options.result_id)
    return status_command(options.limit)
