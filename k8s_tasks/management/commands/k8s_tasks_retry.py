from k8s_tasks.cli import add_ids_argument

from ._common import CliCommand


class Command(CliCommand):
    help = "Run finished tasks again, one line per id. Exit 0 all re-run, 1 some were not, 2 unknown ids."
    cli_command = "retry"
    add_cli_arguments = staticmethod(add_ids_argument)
