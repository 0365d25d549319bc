"""Reading the state of the demo's tasks: their rows (Django ORM) and their pods (the real kubectl)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from .plan import Outcome, Planned
from .processes import run_checked

MANAGED_SELECTOR = "app.kubernetes.io/managed-by=k8s-tasks"


def read_rows(plan: list[Planned]) -> dict[str, Outcome]:
    from k8s_tasks.models import TaskRecord

    fields = ("id", "status", "attempt", "reason", "errors", "return_value", "job_name")
    rows = TaskRecord.objects.filter(id__in=[p.result_id for p in plan]).values(*fields)
    return {
        row["id"]: Outcome(
            status=row["status"],
            attempt=row["attempt"],
            reason=row["reason"],
            errors=list(row["errors"]),
            return_value=row["return_value"],
            job_name=row["job_name"],
        )
        for row in rows
    }


@dataclass
class Placement:
    """Where each Job's pod ran, learnt from `kubectl get pods/nodes -o json`."""

    kubectl: list[str]
    env: dict[str, str]
    node_pools: dict[str, str] = field(default_factory=dict)
    pods: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    """job name -> (node name, pod labels), for pods already bound to a node."""
    min_interval: float = 1.0
    last_refresh: float = 0.0

    def _get(self, *args: str) -> list[dict[str, object]]:
        items = json.loads(run_checked([*self.kubectl, "get", *args, "-o", "json"], self.env)).get(
            "items", []
        )
        return list(items)

    def refresh(self) -> None:
        self.last_refresh = time.monotonic()
        if not self.node_pools:
            for node in self._get("nodes"):
                meta = node.get("metadata", {})
                assert isinstance(meta, dict)
                self.node_pools[str(meta.get("name"))] = str(meta.get("labels", {}).get("pool", ""))
        for pod in self._get("pods", "-l", MANAGED_SELECTOR):
            meta, spec = pod.get("metadata", {}), pod.get("spec", {})
            assert isinstance(meta, dict) and isinstance(spec, dict)
            labels = dict(meta.get("labels") or {})
            job = labels.get("job-name") or labels.get("batch.kubernetes.io/job-name")
            if job and spec.get("nodeName"):
                self.pods[job] = (str(spec["nodeName"]), labels)

    def annotate(self, outcomes: dict[str, Outcome]) -> None:
        """Fill in node, pool and pod labels; asks kubectl only when a known Job's pod is not placed yet."""
        unplaced = any(o.job_name and o.job_name not in self.pods for o in outcomes.values())
        if unplaced and time.monotonic() - self.last_refresh >= self.min_interval:
            self.refresh()
        for outcome in outcomes.values():
            if outcome.job_name in self.pods:
                node, labels = self.pods[outcome.job_name]
                outcome.node, outcome.pod_labels = node, labels
                outcome.node_pool = self.node_pools.get(node)


def job_finished(job: dict[str, object]) -> bool:
    status = job.get("status") or {}
    assert isinstance(status, dict)
    conditions = status.get("conditions") or []
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in conditions)


def unfinished_jobs(kubectl: list[str], env: dict[str, str]) -> list[str]:
    """Names of our Jobs that have neither Complete nor Failed yet (a pod may write its row first)."""
    out = run_checked([*kubectl, "get", "jobs", "-l", MANAGED_SELECTOR, "-o", "json"], env)
    jobs = json.loads(out).get("items", [])
    return [job["metadata"]["name"] for job in jobs if not job_finished(job)]
