from k8s_tasks.cli import add_status_arguments

from ._common import CliCommand


class Command(CliCommand):
    help = "Per-queue counts and the most recent tasks (--queue, --status, --since), reasons in full."
    cli_command = "status"
    add_cli_arguments = staticmethod(add_status_arguments)
