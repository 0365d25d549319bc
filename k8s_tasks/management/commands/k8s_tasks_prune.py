from k8s_tasks.cli import add_prune_arguments

from ._common import CliCommand


class Command(CliCommand):
    help = (
        "Delete finished tasks (never READY or RUNNING) that finished more than --older-than ago, in "
        "batches, each its own transaction, printing progress."
    )
    cli_command = "prune"
    add_cli_arguments = staticmethod(add_prune_arguments)
