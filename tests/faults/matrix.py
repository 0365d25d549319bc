"""`python -m tests.faults.matrix FILE`: the fault matrix (fault x database: tasks, lost, duplicated,
stuck) from the lines tests/faults wrote with K8S_TASKS_FAULT_MATRIX=FILE (`make faults` does both)."""

from __future__ import annotations

import json
import sys


def table(lines: list[dict[str, object]]) -> str:
    head = ("fault (test)", "database", "tasks", "lost", "duplicated", "stuck", "other breaches")
    rows = [
        (
            str(line["test"]).split("::")[-1],
            str(line["db"]),
            *(str(line[k]) for k in ("tasks", "lost", "duplicated", "stuck", "other")),
        )
        for line in lines
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


if __name__ == "__main__":
    with open(sys.argv[1]) as source:
        print(table([json.loads(line) for line in source if line.strip()]))
