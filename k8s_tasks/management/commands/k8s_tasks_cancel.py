from k8s_tasks.cli import add_ids_argument

from ._common import CliCommand


class Command(CliCommand):
    help = (
        "Cancel tasks, one line per id. Exit 0 all cancelled or requested, 1 some had finished, "
        "2 unknown ids."
    )
    cli_command = "cancel"
    add_cli_arguments = staticmethod(add_ids_argument)
