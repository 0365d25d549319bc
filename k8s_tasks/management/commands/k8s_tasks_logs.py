from k8s_tasks.cli import add_logs_arguments

from ._common import CliCommand


class Command(CliCommand):
    help = "A task's output: its pod's log while the pod exists (-f follows it), then the stored tail."
    cli_command = "logs"
    add_cli_arguments = staticmethod(add_logs_arguments)
