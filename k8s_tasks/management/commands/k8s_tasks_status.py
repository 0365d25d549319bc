from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from k8s_tasks.status import render_status


class Command(BaseCommand):
    help = "Show per-queue counts and the most recent tasks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("-n", "--limit", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(render_status(limit=options["limit"]))
