from k8s_tasks.cli import add_show_arguments

from ._common import CliCommand


class Command(CliCommand):
    help = "One task: every field, the full reason, errors with tracebacks, its Job, pods and nodes, and the "
    "stored log tail."
    cli_command = "show"
    add_cli_arguments = staticmethod(add_show_arguments)
