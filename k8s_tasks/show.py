"""``python -m k8s_tasks show ID``: one task, whole: every field of its row, the full reason, each error with
its traceback, its Job, pods and nodes (as the row has them, and live from the cluster when it answers),
and the stored tail of its output."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .kubeview import ClusterUnavailable, connect, job_line, pod_line, task_objects
from .lookup import find_record
from .models import TaskRecord

FIELDS = (
    ("id", "id"),
    ("task", "task_path"),
    ("status", "status"),
    ("queue", "queue_name"),
    ("backend", "backend_name"),
    ("priority", "priority"),
    ("attempt", "attempt"),
    ("infrastructure retries", "infra_retries"),
    ("enqueued", "enqueued_at"),
    ("run after", "run_after"),
    ("dispatched", "dispatched_at"),
    ("started", "started_at"),
    ("last attempted", "last_attempted_at"),
    ("finished", "finished_at"),
    ("cancel requested", "cancel_requested"),
    ("retried from", "retried_from"),
    ("retried as", "retried_as"),
    ("job", "job_name"),
    ("job namespace", "job_namespace"),
)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _indented(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.rstrip("\n").splitlines()) or f"{prefix}(empty)"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def cluster_section(record: TaskRecord, *, live: bool) -> list[str]:
    """The task's Job and pods now, from the API (optional: the row's view when it cannot be reached)."""
    lines = ["", "kubernetes:"]
    if not record.job_name:
        return [*lines, "  no Job yet (not dispatched)"]
    if not live:
        return [*lines, "  not asked (--no-cluster)"]
    try:
        api = connect()
        try:
            found = task_objects(api, record.job_namespace or "default", record.job_name)
        finally:
            api.close()
    except ClusterUnavailable as error:
        return [*lines, f"  cluster not reachable: {error}"]
    lines.append(f"  job   {job_line(found.job)}" if found.job else f"  job   {record.job_name}  gone")
    lines.extend(f"  pod   {pod_line(pod)}" for pod in found.pods)
    if not found.pods:
        lines.append("  pods  none left (the Job's pods are deleted with it)")
    return lines


def render_show(result_id: str, *, live: bool = True) -> str:
    """The whole report of one task; TaskResultDoesNotExist for an unknown id."""
    record = find_record(result_id)
    width = max(len(label) for label, _ in FIELDS)
    lines = [f"{label.ljust(width)}  {_value(getattr(record, name))}" for label, name in FIELDS]
    lines.append(f"{'pods'.ljust(width)}  {', '.join(record.worker_ids) or '-'}")
    lines += ["", "reason:", _indented(record.reason) if record.reason else "  -"]
    lines += ["", "arguments:", f"  args   {_json(record.args)}", f"  kwargs {_json(record.kwargs)}"]
    if record.status == "SUCCESSFUL":
        lines += ["", "return value:", _indented(_json(record.return_value))]
    lines += ["", f"errors ({len(record.errors)}):"]
    for number, error in enumerate(record.errors, start=1):
        lines.append(f"  {number}. {error.get('exception_class_path', '?')}")
        lines.append(_indented(error.get("traceback", ""), "     "))
    lines += cluster_section(record, live=live)
    size = len(record.log_tail.encode())
    lines += ["", f"log tail ({size} bytes, stored when the task ended):"]
    lines.append(_indented(record.log_tail) if record.log_tail else "  (none stored)")
    return "\n".join(lines)
