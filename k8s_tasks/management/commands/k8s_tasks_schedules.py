from k8s_tasks.cli import add_schedules_arguments

from ._common import CliCommand


class Command(CliCommand):
    help = (
        "Every TaskSchedule with its next run (from its spec), its last run (tick, task id, status) and runs."
    )
    cli_command = "schedules"
    add_cli_arguments = staticmethod(add_schedules_arguments)
