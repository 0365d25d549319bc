import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from k8s_tasks import tee
from k8s_tasks.cli import run_command


class Command(BaseCommand):
    help = "Run one task by its result id (what a task pod runs). Exit 0 success, 1 failed, 2 not runnable."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("result_id")

    def handle(self, *args: Any, **options: Any) -> None:
        if tee.wanted(os.environ):  # its output teed, its tail stored with the outcome
            tee.supervise()
        sys.exit(run_command(options["result_id"]))
