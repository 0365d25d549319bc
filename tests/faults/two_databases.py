"""`python -m tests.faults.two_databases enqueue LEDGER N | status ID...` with settings_tasks_database:
enqueue on the backend whose rows live in the `tasks` database, or print the rows' statuses (JSON)."""

from __future__ import annotations

import json
import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from k8s_tasks.models import TaskRecord
    from tests.faults import tasks

    if argv[0] == "enqueue":
        ids = [tasks.step.enqueue(argv[1], 0.1).id for _ in range(int(argv[2]))]
        print(json.dumps(ids))
    elif argv[0] == "status":
        rows = TaskRecord.objects.using("tasks").filter(pk__in=argv[1:])
        print(json.dumps({r.pk: [r.status, r.reason] for r in rows}))
    elif argv[0] == "default-count":
        print(TaskRecord.objects.using("default").count())


if __name__ == "__main__":
    main(sys.argv[1:])
