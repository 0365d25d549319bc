"""The invariant every fault test checks, from the rows, the ledgers the tasks and signals wrote, and the
Jobs that exist:

- every task ended terminal, exactly once (one task_finished across all processes);
- a FAILED task says why (a reason and an error per failed attempt);
- its side effects ran once per attempt that the outcome reports, and a successful task's last attempt
  ran to the end;
- no row is left unfinished; no Job is left without a row.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from django.db import connection
from kubernetes import client

from k8s_tasks.models import TaskRecord
from tests.e2e import jobs

FINAL = ("SUCCESSFUL", "FAILED")


def read(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def problems(ids: list[str], ledger: Path, signals: Path | None) -> list[str]:
    """Every breach of the invariant for these tasks (empty when it holds)."""
    found: list[str] = []
    rows = {r.pk: r for r in TaskRecord.objects.filter(pk__in=ids)}
    starts = Counter((task_id, int(attempt)) for task_id, attempt, what in read(ledger) if what == "start")
    dones = {(task_id, int(attempt)) for task_id, attempt, what in read(ledger) if what == "done"}
    finished = Counter(task_id for task_id, *_ in read(signals)) if signals is not None else None
    for task_id in ids:
        row = rows.get(task_id)
        if row is None:
            found.append(f"{task_id}: the row is lost")
            continue
        where = f"{task_id} ({row.status}, attempt {row.attempt}, {row.reason[:120]!r})"
        if row.status not in FINAL:
            found.append(f"{where}: not terminal")
            continue
        reported = row.attempt - (1 if row.status == "SUCCESSFUL" else 0)
        if len(row.errors) != reported:
            found.append(f"{where}: {len(row.errors)} errors recorded for {reported} failed attempts")
        if row.status == "FAILED" and not row.reason:
            found.append(f"{where}: FAILED without a reason")
        ran = {attempt: n for (tid, attempt), n in starts.items() if tid == task_id}
        if any(n > 1 for n in ran.values()):
            found.append(f"{where}: an attempt ran more than once: {ran}")
        if any(attempt > row.attempt for attempt in ran):
            found.append(f"{where}: ran an attempt the outcome does not report: {sorted(ran)}")
        if row.status == "SUCCESSFUL" and (task_id, row.attempt) not in dones:
            found.append(f"{where}: SUCCESSFUL but its last attempt did not run to the end")
        if finished is not None and finished[task_id] != 1:
            found.append(f"{where}: task_finished sent {finished[task_id]} times")
    return found


def orphans(api: client.ApiClient) -> list[str]:
    """Our Jobs whose task has no row."""
    listed = jobs(api)
    ids = {j.metadata.annotations.get("k8stasks.io/task-id") for j in listed}
    have = set(TaskRecord.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return [j.metadata.name for j in listed if j.metadata.annotations.get("k8stasks.io/task-id") not in have]


def tally(breaches: list[str]) -> dict[str, int]:
    """The breaches by kind, for the fault matrix: lost rows, things done twice, tasks left unfinished."""
    return {
        "lost": sum("row is lost" in b for b in breaches),
        "duplicated": sum("more than once" in b or "sent 2" in b or "sent 3" in b for b in breaches),
        "stuck": sum("not terminal" in b for b in breaches),
        "other": sum(
            not any(w in b for w in ("row is lost", "more than once", "sent 2", "sent 3", "not terminal"))
            for b in breaches
        ),
    }


def record_matrix(ids: list[str], breaches: list[str]) -> None:
    """With K8S_TASKS_FAULT_MATRIX set, one JSON line per checked test: the fault (the test), its tasks,
    and how many were lost, duplicated or stuck (tests/faults/matrix.py prints the table)."""
    path = os.environ.get("K8S_TASKS_FAULT_MATRIX")
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    line = {"test": test, "db": connection.vendor, "tasks": len(ids), **tally(breaches)}
    with open(path, "a") as out:
        out.write(json.dumps(line) + "\n")


def assert_invariant(ids: list[str], ledger: Path, signals: Path | None, api: client.ApiClient) -> None:
    breaches = problems(ids, ledger, signals)
    record_matrix(ids, breaches)
    assert not breaches, f"{len(breaches)} of {len(ids)} tasks break the invariant:\n" + "\n".join(
        breaches[:20]
    )
    assert orphans(api) == []
