"""Find a task row by id in the databases of the configured Kubernetes backends."""

from django.tasks.exceptions import TaskResultDoesNotExist

from .conf import task_databases
from .models import TaskRecord


def find_record(result_id: str) -> TaskRecord:
    for database in task_databases():
        record = TaskRecord.objects.using(database).filter(pk=str(result_id)).first()
        if record is not None:
            return record
    raise TaskResultDoesNotExist(result_id)
