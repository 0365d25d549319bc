"""``python -m k8s_tasks schedules`` (and ``manage.py k8s_tasks_schedules``): every TaskSchedule with its
next run, computed here from its spec (cron, time zone, suspend; the database's clock), and its last run
from the ledger (tick, task id, the task's status) beside the operator's word on it (Valid, runs, missed).
The objects come from the Kubernetes API (kubeconfig or in-cluster); without a reachable cluster the
schedules the ledger knows are listed from the database alone, saying so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from ..clock import database_now
from ..conf import get_options, kubernetes_aliases, task_databases
from ..models import TaskRecord
from ..status import format_table
from .cron import CronError, parse_cron
from .ledger import ScheduledRun
from .nexttick import next_tick
from .spec import DEFAULT_TIME_ZONE, parse_zone

GROUP, VERSION, PLURAL = "k8stasks.io", "v1alpha1", "taskschedules"
HEADER = (
    "NAME",
    "SCHEDULE",
    "TIMEZONE",
    "SUSPEND",
    "NEXT",
    "LAST SCHEDULE",
    "LAST RUN",
    "STATUS",
    "RUNS",
    "VALID",
)


@dataclass
class Listed:
    namespace: str
    name: str
    uid: str
    schedule: str = "?"
    time_zone: str = DEFAULT_TIME_ZONE
    suspend: bool = False
    valid: str = "?"
    problem: str = ""
    next_run: str = "-"


def backend_namespaces() -> list[str]:
    found: list[str] = []
    for alias in kubernetes_aliases():
        namespace = get_options(alias).namespace
        if namespace not in found:
            found.append(namespace)
    return found


def in_words(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return "in " + ("".join(parts) or f"{seconds}s")


def next_run(spec: dict[str, Any], now: datetime) -> str:
    """The next tick from the spec alone, in the schedule's zone, and how far off it is."""
    if spec.get("suspend") is True:
        return "- (suspended)"
    try:
        zone = parse_zone(spec.get("timeZone") or DEFAULT_TIME_ZONE)
        cron = parse_cron(str(spec.get("schedule") or ""))
    except (CronError, ValueError):
        return "-"
    tick = next_tick(cron, zone, now)
    if tick is None:
        return "never"
    return f"{tick.astimezone(zone):%Y-%m-%d %H:%M %z} ({in_words(tick - now)})"


def from_object(body: dict[str, Any], now: datetime) -> Listed:
    meta, spec, status = body.get("metadata") or {}, body.get("spec") or {}, body.get("status") or {}
    condition = (status.get("conditions") or [{}])[0]
    return Listed(
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        uid=str(meta.get("uid") or ""),
        schedule=str(spec.get("schedule") or "-"),
        time_zone=str(spec.get("timeZone") or DEFAULT_TIME_ZONE),
        suspend=spec.get("suspend") is True,
        valid=str(condition.get("status") or "?"),
        problem=str(condition.get("message") or "") if condition.get("status") == "False" else "",
        next_run=next_run(spec, now),
    )


def cluster_schedules(namespaces: list[str]) -> list[dict[str, Any]]:
    """The TaskSchedule objects of these namespaces; ClusterUnavailable when the API does not answer."""
    from kubernetes import client

    from ..kubeview import TIMEOUT, ClusterUnavailable, connect

    api = connect()
    found: list[dict[str, Any]] = []
    try:
        for namespace in namespaces:
            listed = client.CustomObjectsApi(api).list_namespaced_custom_object(
                GROUP, VERSION, namespace, PLURAL, _request_timeout=TIMEOUT
            )
            found.extend(cast(dict[str, Any], listed).get("items") or [])
    except Exception as error:
        raise ClusterUnavailable(f"listing TaskSchedules: {error}") from None
    finally:
        api.close()
    return found


def ledger_rows(database: str, listed: Listed) -> list[str]:
    """LAST SCHEDULE, LAST RUN, STATUS, RUNS from the ledger and the task rows."""
    runs = ScheduledRun.objects.using(database).filter(schedule_uid=listed.uid)
    newest = runs.order_by("-scheduled_at").first()
    last = runs.filter(state="enqueued").order_by("-scheduled_at").first()
    if last is None:
        return ["-", "-", "-", str(newest.runs_total if newest else 0)]
    status = (
        TaskRecord.objects.using(database).filter(pk=last.pk).values_list("status", flat=True).first()
        or "GONE"
    )
    return [
        f"{last.scheduled_at:%Y-%m-%d %H:%M:%S}Z",
        last.pk,
        status,
        str(newest.runs_total if newest else last.runs_total),
    ]


def known_to_the_ledger(database: str) -> list[Listed]:
    """Without a cluster: each schedule the ledger has runs of (its newest name), nothing of its spec."""
    newest: dict[str, Listed] = {}
    rows = ScheduledRun.objects.using(database).order_by("schedule_uid", "-scheduled_at")
    for uid, namespace, name in rows.values_list("schedule_uid", "namespace", "schedule_name"):
        newest.setdefault(uid, Listed(namespace=namespace, name=name, uid=uid))
    return sorted(newest.values(), key=lambda listed: (listed.namespace, listed.name))


def render_schedules(namespace: str | None = None) -> str:
    from ..kubeview import ClusterUnavailable

    namespaces = [namespace] if namespace else backend_namespaces()
    database = task_databases()[0]
    now = database_now(database)
    note = ""
    try:
        listed = [from_object(body, now) for body in cluster_schedules(namespaces)]
    except ClusterUnavailable as error:
        listed = [s for s in known_to_the_ledger(database) if s.namespace in namespaces]
        note = f"(no cluster: {error}; schedules from the database only, their specs unknown)\n"
    if not listed:
        return note + f"No TaskSchedules in namespace {', '.join(namespaces)}."
    rows = [
        [
            f"{s.namespace}/{s.name}",
            s.schedule,
            s.time_zone,
            str(s.suspend),
            s.next_run,
            *ledger_rows(database, s),
            s.valid,
        ]
        for s in sorted(listed, key=lambda s: (s.namespace, s.name))
    ]
    problems = [f"{s.namespace}/{s.name}: Valid=False: {s.problem}" for s in listed if s.problem]
    return note + format_table(HEADER, rows) + ("\n\n" + "\n".join(problems) if problems else "")
