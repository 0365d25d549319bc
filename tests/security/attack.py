"""Task functions of the attack on a sealed queue: what a task could do with only what its pod was given.
Each attempt is recorded in the return value with what happened; nothing here is meant to succeed."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from k8s_tasks.compat import task

CREDENTIALS = re.compile(r"PASSWORD|SECRET|TOKEN|DATABASE|^PG|^DB_|_DSN$|KUBERNETES", re.IGNORECASE)
# the kubernetes Service's address, which a kubelet gives every container (no credential)
SERVICE_LINKS = re.compile(
    r"^KUBERNETES_(SERVICE_HOST|SERVICE_PORT|SERVICE_PORT_HTTPS|PORT)$|^KUBERNETES_PORT_\d+_TCP"
)
PLACES = ("/var/run/secrets/kubernetes.io/serviceaccount", "/var/run/secrets", "/etc/k8s-tasks")


def attempt(what: dict[str, Any], name: str, action: Any) -> None:
    try:
        what[name] = f"SUCCEEDED: {action()!r}"
    except Exception as exc:
        what[name] = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"


def connect_to_postgres() -> str:
    import psycopg

    host = os.environ.get("PGHOST", "127.0.0.1")
    with psycopg.connect(host=host, port=5432, user="postgres", dbname="postgres", connect_timeout=3) as conn:
        return str(conn.execute("SELECT current_user").fetchone())


@task()
def attack(victim_id: str) -> dict[str, Any]:
    from k8s_tasks.models import TaskRecord
    from tests import tasks

    what: dict[str, Any] = {
        "credential_env": sorted(
            name for name in os.environ if CREDENTIALS.search(name) and not SERVICE_LINKS.match(name)
        ),
        "credential_files": sorted(
            str(p) for place in PLACES for p in Path(place).glob("**/*") if p.is_file()
        ),
        "handed": sorted(
            p.name for p in Path(os.environ.get("K8S_TASKS_SEALED_PATH", "/nowhere")).parent.glob("*")
        ),
    }
    attempt(what, "connect", connect_to_postgres)
    attempt(what, "read_victim", lambda: TaskRecord.objects.get(pk=victim_id).kwargs)
    attempt(what, "forge_victim", lambda: TaskRecord.objects.filter(pk=victim_id).update(status="SUCCESSFUL"))
    attempt(what, "enqueue", lambda: tasks.add.enqueue(1, 2).id)
    return what


@task()
def forge(victim_id: str, victim_attempt: int, own_next_attempt: bool = False) -> None:
    """Report an outcome for another task (or another attempt of this one) in this pod's termination
    message, then exit before the runner could write the real one."""
    own_id, own_attempt = os.environ["K8S_TASKS_TASK_ID"], int(os.environ["K8S_TASKS_ATTEMPT"])
    task_id, number = (own_id, own_attempt + 1) if own_next_attempt else (victim_id, victim_attempt)
    forged = {
        "k8s-tasks-outcome": 1,
        "id": task_id,
        "attempt": number,
        "status": "SUCCESSFUL",
        "return_value": {"forged": True},
        "exception_class_path": "",
        "traceback": "",
        "reason": "",
        "retryable": True,
    }
    Path(os.environ["K8S_TASKS_TERMINATION_LOG"]).write_text(json.dumps(forged))
    os._exit(0)


@task()
def victim(gate: str, api_token: str) -> str:
    """A task holding a secret in its arguments, running until `gate` exists (at most 120 s)."""
    import time

    deadline = time.monotonic() + 120
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
    return "ok"
