"""What the k8s_tasks_* management commands share: the command line of ``python -m k8s_tasks``."""

from __future__ import annotations

import sys
from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand


class CliCommand(BaseCommand):
    """A management command that runs one command of k8s_tasks.cli and exits with its code."""

    cli_command = ""
    add_cli_arguments: Callable[[ArgumentParser], None] = staticmethod(lambda parser: None)

    def add_arguments(self, parser: ArgumentParser) -> None:
        type(self).add_cli_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        from k8s_tasks.cli import dispatch

        self.stdout.ending = ""  # the command writes whole lines (and, for logs, the log as it comes)
        try:
            code = dispatch(self.cli_command, Namespace(**options), self.stdout)  # type: ignore[arg-type]
        except KeyboardInterrupt:
            code = 130
        self.stdout.flush()
        if code:
            sys.exit(code)
