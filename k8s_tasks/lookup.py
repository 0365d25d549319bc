"""Find a task row by id in the databases of the configured Kubernetes backends."""

from collections.abc import Sequence

from .compat import TaskResultDoesNotExist
from .conf import task_databases
from .models import TaskRecord


def find_record(result_id: str, *, defer: Sequence[str] = ()) -> TaskRecord:
    """The row with this id; ``defer`` leaves columns unloaded (the runner defers the payloads, which it
    decodes on its own terms)."""
    for database in task_databases():
        rows = TaskRecord.objects.using(database).filter(pk=str(result_id))
        record = (rows.defer(*defer) if defer else rows).first()
        if record is not None:
            return record
    raise TaskResultDoesNotExist(result_id)
