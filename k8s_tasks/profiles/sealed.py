"""Isolated queues run sealed: what that means for a profile and for its Job.

A sealed pod has no database credentials and no network (the operator's NetworkPolicy denies all egress
and ingress). Its one task comes in a Secret the operator makes per attempt, named like the Job and owned
by it, mounted read-only at k8s_tasks.sealing.SEALED_DIR. A Secret in its env would be of no use to it
without a network, and is exactly what sealing keeps out: an isolated profile may reference none.
"""

from collections.abc import Iterator
from typing import Any

from ..sealing import PAYLOAD_KEY, SEALED_DIR
from .errors import FieldProblem
from .spec import QueueSpec

VOLUME = "k8s-tasks-task"
FIX = "an isolated queue runs sealed, with no credentials and no network: remove it, or set network: default"


def check_sealed(spec: QueueSpec) -> Iterator[FieldProblem]:
    if spec.network != "isolated":
        return
    for i, var in enumerate(spec.env):
        if var.value_from is not None and var.value_from.secret_key_ref is not None:
            yield FieldProblem(f"spec.env[{i}].valueFrom.secretKeyRef", var.name, "reads a Secret", FIX)
    for i, source in enumerate(spec.env_from):
        if source.secret_ref is not None:
            yield FieldProblem(f"spec.envFrom[{i}].secretRef", source.secret_ref.name, "reads a Secret", FIX)


def sealed_env() -> list[dict[str, Any]]:
    return [
        {"name": "K8S_TASKS_SEALED", "value": "1"},
        {"name": "K8S_TASKS_SEALED_PATH", "value": f"{SEALED_DIR}/{PAYLOAD_KEY}"},
    ]


def sealed_volume(job_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(volume, mount) of the attempt's Secret: only this pod mounts it (only its Job owns it)."""
    volume = {"name": VOLUME, "secret": {"secretName": job_name, "defaultMode": 0o440, "optional": False}}
    return volume, {"name": VOLUME, "mountPath": SEALED_DIR, "readOnly": True}
