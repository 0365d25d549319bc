"""The command line shared by ``python -m k8s_tasks`` and the management commands (``manage.py
k8s_tasks_<command>``): run, status, show, logs, cancel, retry, prune, schedules."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .durations import parse_age
from .helptext import FullHelpParser

STATUS_CHOICES = ("READY", "RUNNING", "SUCCESSFUL", "FAILED")
FINISHED_CHOICES = ("SUCCESSFUL", "FAILED")


def age(text: str) -> Any:
    """argparse type for 30m, 2h, 1d, ..."""
    try:
        return parse_age(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--limit", type=int, default=20, help="how many recent tasks to list (20)")
    parser.add_argument("--queue", action="append", default=[], help="only this queue (repeatable)")
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        type=str.upper,
        choices=STATUS_CHOICES,
        help="only this status (repeatable)",
    )
    parser.add_argument("--since", type=age, help="only tasks enqueued in the last 30m, 2h, 1d, ...")


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("result_id", help="the task's id")
    parser.add_argument(
        "--no-cluster", action="store_true", help="do not ask the Kubernetes API for the Job and pods"
    )


def add_logs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("result_id", help="the task's id")
    parser.add_argument(
        "-f", "--follow", action="store_true", help="follow the pod's log until the task ends"
    )


def add_ids_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("result_ids", nargs="+", metavar="ID", help="task ids")


def add_prune_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--older-than",
        type=age,
        required=True,
        help="delete tasks that finished more than this long ago (30d, 12h, ...)",
    )
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        type=str.upper,
        choices=FINISHED_CHOICES,
        help="only tasks that ended so (repeatable; default both; READY and RUNNING are never deleted)",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    parser.add_argument("--batch-size", type=int, default=1000, help="rows per batch and transaction (1000)")


def add_schedules_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--namespace", help="only this namespace (default: the NAMESPACE of every KubernetesBackend)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = FullHelpParser(
        prog="python -m k8s_tasks",
        description="k8s-tasks commands; each is also manage.py k8s_tasks_<command>. Every command needs "
        "DJANGO_SETTINGS_MODULE (your settings, importable: run it in your project's directory or put "
        "that on PYTHONPATH). Every command and its options follow.",
        epilog="environment: DJANGO_SETTINGS_MODULE (required); KUBECONFIG (show, logs, schedules: the "
        "cluster, else the pod's ServiceAccount); run reads what its Job sets (K8S_TASKS_TASK_ID, "
        "K8S_TASKS_ATTEMPT, K8S_TASKS_JOB_NAME, K8S_TASKS_MANAGED, K8S_TASKS_MAX_ATTEMPTS, "
        "K8S_TASKS_RETRY_DELAY_SECONDS, K8S_TASKS_DB_RETRY_SECONDS, K8S_TASKS_TERMINATION_LOG, "
        "K8S_TASKS_SEALED)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run one task (the entrypoint of a task pod)")
    run.add_argument("result_id", help="the id of the TaskResult to run")
    add_status_arguments(commands.add_parser("status", help="queue depths and the most recent tasks"))
    add_show_arguments(
        commands.add_parser("show", help="one task: every field, errors, Job, pods, stored log tail")
    )
    add_logs_arguments(commands.add_parser("logs", help="a task's output: its pod's log, or the stored tail"))
    add_ids_argument(commands.add_parser("cancel", help="cancel tasks (one line per id)"))
    add_ids_argument(commands.add_parser("retry", help="run finished tasks again (one line per id)"))
    add_prune_arguments(commands.add_parser("prune", help="delete finished tasks past an age, in batches"))
    add_schedules_arguments(
        commands.add_parser("schedules", help="TaskSchedules with their next and last run")
    )
    return parser


def run_command(result_id: str) -> int:
    """A task pod's entrypoint: sealed (K8S_TASKS_SEALED=1, no database) or with the database."""
    if os.environ.get("K8S_TASKS_SEALED") == "1":
        from . import sealed

        return sealed.main(result_id, os.environ)
    from .runner import main

    return main(result_id)


def status_command(options: Any, out: TextIO) -> int:
    from .status import StatusFilter, render_status

    filters = StatusFilter(tuple(options.queue), tuple(options.status), options.since)
    out.write(render_status(limit=options.limit, filters=filters) + "\n")
    return 0


def show_command(options: Any, out: TextIO) -> int:
    from .compat import TaskResultDoesNotExist
    from .show import render_show

    try:
        out.write(render_show(options.result_id, live=not options.no_cluster) + "\n")
    except TaskResultDoesNotExist:
        out.write(f"{options.result_id}: no such task\n")
        return 2
    return 0


def logs_command(options: Any, out: TextIO) -> int:
    from .podlogs import logs_command as print_logs

    return print_logs(options.result_id, out, follow=options.follow)


def dispatch(command: str, options: Any, out: TextIO) -> int:
    """Run a command (not ``run``) once Django is set up; its exit code."""
    if command == "status":
        return status_command(options, out)
    if command == "show":
        return show_command(options, out)
    if command == "logs":
        return logs_command(options, out)
    if command == "schedules":
        from .schedules.listing import render_schedules

        out.write(render_schedules(options.namespace) + "\n")
        return 0
    from .commands import cancel_command, prune_command, retry_command

    if command == "cancel":
        return cancel_command(options.result_ids, out)
    if command == "retry":
        return retry_command(options.result_ids, out)
    if command == "prune":
        return prune_command(options, out)
    raise ValueError(f"unknown command {command!r}")


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

    if options.command == "run":
        from . import tee

        if tee.wanted(os.environ):  # before Django: the output's supervisor stays small
            tee.supervise()
        try:
            django.setup()
        except Exception as error:  # No module named 'mysite': say which, and how a pod finds your code
            from .podstart import cannot_start

            return cannot_start(options.result_id, error)
        return run_command(options.result_id)
    django.setup()
    try:
        return dispatch(options.command, options, sys.stdout)
    except KeyboardInterrupt:
        return 130
