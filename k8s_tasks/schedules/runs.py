"""The ledger's reads and writes for the operator: plain synchronous functions, run in worker threads.

decide_tick() is the one write of a tick: in one transaction it records the tick in the ledger and, for
an enqueued tick, cancels what Replace replaces and enqueues the run through the backend's normal path
(validate_task, one row, task_enqueued), with the run's id derived from (schedule uid, tick). A second
attempt at the same tick, from any replica, finds the row (under a per-schedule advisory lock on
PostgreSQL) or is refused by the unique constraint, and enqueues nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from ..compat import TaskResultStatus, task_backends
from ..enqueueing import store_tasks
from ..models import ACTIVE, TaskRecord
from .ids import run_id
from .ledger import ScheduledRun
from .spec import ScheduleSpec
from .taskcheck import load_task
from .ticks import Newest, count_ticks

State = Literal["enqueued", "skipped"]
HISTORY = 50  # newest enqueued runs read for the status's recent runs and lastSuccessfulTime


@dataclass(frozen=True)
class ScheduleKey:
    uid: str
    namespace: str
    name: str
    created: datetime


@dataclass(frozen=True)
class Totals:
    runs: int = 0
    skipped: int = 0
    missed: int = 0


@dataclass(frozen=True)
class ActiveRun:
    task_id: str
    tick: datetime
    status: str


@dataclass(frozen=True)
class Observed:
    """What the ledger says of a schedule now."""

    newest: Newest | None
    last_enqueued: datetime | None
    active_runs: tuple[ActiveRun, ...]
    """Runs whose task is still READY or RUNNING, oldest tick first."""
    totals: Totals

    @property
    def active(self) -> tuple[str, ...]:
        return tuple(run.task_id for run in self.active_runs)


@dataclass(frozen=True)
class Written:
    """What decide_tick did: ``written`` (this call recorded the tick), ``exists`` (it was recorded
    already: another replica, or an earlier pass) or ``superseded`` (a later tick is recorded)."""

    outcome: Literal["written", "exists", "superseded"]
    task_id: str = ""
    passed_over: int = 0
    exact: bool = True
    cancelled: tuple[str, ...] = ()
    totals: Totals = Totals()


@dataclass(frozen=True)
class RunView:
    task_id: str
    tick: datetime
    status: str
    """The task's status, or GONE when its row was deleted (pruned)."""
    finished_at: datetime | None


def _rows(using: str, uid: str) -> QuerySet[ScheduledRun]:
    return ScheduledRun.objects.using(using).filter(schedule_uid=uid)


def _totals(row: ScheduledRun | None) -> Totals:
    if row is None:
        return Totals()
    return Totals(row.runs_total, row.skipped_total, row.missed_total)


def observe(using: str, uid: str) -> Observed:
    """The newest tick, the last enqueued one, the active runs (runs whose task has finished or is gone
    are closed on the way) and the totals."""
    close_old_connections()
    rows = _rows(using, uid)
    newest = rows.order_by("-scheduled_at").first()
    last = rows.filter(state="enqueued").order_by("-scheduled_at").values_list("scheduled_at", flat=True)
    opened = list(rows.filter(open=True).order_by("scheduled_at").values_list("pk", "scheduled_at"))
    statuses = dict(
        TaskRecord.objects.using(using).filter(pk__in=[pk for pk, _ in opened]).values_list("pk", "status")
    )
    active = tuple(ActiveRun(pk, tick, statuses[pk]) for pk, tick in opened if statuses.get(pk) in ACTIVE)
    done = [pk for pk, _ in opened if statuses.get(pk) not in ACTIVE]
    if done:
        rows.filter(pk__in=done).update(open=False)
    return Observed(
        newest=Newest(newest.scheduled_at, cast(State, newest.state)) if newest else None,
        last_enqueued=last.first(),
        active_runs=active,
        totals=_totals(newest),
    )


def _lock(using: str, uid: str) -> None:
    """PostgreSQL: one decider per schedule at a time (until the transaction ends), so what it reads of
    the ledger is still true when it writes. The unique constraint holds either way."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"k8s_tasks:schedule:{uid}"])


def _cancel(using: str, task_ids: Sequence[str]) -> tuple[str, ...]:
    """Replace: cancel the active runs (a queued one fails at once, a running one has its cancel
    requested: the operator deletes its Job)."""
    cancelled = []
    for task_id in task_ids:
        record = TaskRecord.objects.using(using).filter(pk=task_id).only("pk", "attempt").first()
        if record is not None and record.cancel():
            cancelled.append(task_id)
    return tuple(cancelled)


def _enqueue(spec: ScheduleSpec, task_id: str) -> None:
    task = load_task(spec.task_path).using(
        queue_name=spec.queue_name, priority=spec.priority, backend=spec.backend
    )
    store_tasks(task_backends[spec.backend], task, [(spec.args, spec.kwargs)], ids=[task_id])  # type: ignore[arg-type]


def decide_tick(
    key: ScheduleKey,
    spec: ScheduleSpec,
    tick: datetime,
    state: State,
    now: datetime,
    *,
    replace: Sequence[str] = (),
) -> Written:
    """Record `tick` as `state` once; for ``enqueued``, also cancel `replace` and enqueue the run. A tick
    recorded as skipped may still become enqueued (CronJob starts it late if it is still the most recent
    and within its deadline); an enqueued tick never changes. Ticks passed over since the previous row
    are counted as missed on this one."""
    using = spec.database
    close_old_connections()
    try:
        with transaction.atomic(using=using):
            _lock(using, key.uid)
            rows = _rows(using, key.uid)
            newest = rows.order_by("-scheduled_at").first()
            if newest is not None and newest.scheduled_at > tick:
                return Written("superseded")
            existing = newest if newest is not None and newest.scheduled_at == tick else None
            if existing is not None and (existing.state == "enqueued" or existing.state == state):
                return Written("exists", existing.pk)
            task_id = run_id(key.uid, tick)
            if existing is not None:  # skipped, now enqueued
                before = _totals(existing)
                totals = Totals(before.runs + 1, before.skipped - 1, before.missed)
                changed = rows.filter(pk=existing.pk, state=existing.state).update(
                    state="enqueued",
                    open=True,
                    decided_at=now,
                    runs_total=F("runs_total") + 1,
                    skipped_total=totals.skipped,
                    missed_total=totals.missed,
                )
                if not changed:
                    return Written("exists", existing.pk)
                passed, exact = existing.passed_over, True
            else:
                since = newest.scheduled_at if newest is not None else key.created
                passed, exact = count_ticks(spec.cron, spec.zone, since, tick)
                before = _totals(newest)
                totals = Totals(
                    before.runs + (state == "enqueued"),
                    before.skipped + (state == "skipped"),
                    before.missed + passed,
                )
                ScheduledRun.objects.using(using).create(
                    id=task_id,
                    schedule_uid=key.uid,
                    namespace=key.namespace,
                    schedule_name=key.name,
                    scheduled_at=tick,
                    state=state,
                    open=state == "enqueued",
                    decided_at=now,
                    passed_over=passed,
                    runs_total=totals.runs,
                    skipped_total=totals.skipped,
                    missed_total=totals.missed,
                )
            cancelled: tuple[str, ...] = ()
            if state == "enqueued":
                cancelled = _cancel(using, replace)
                _enqueue(spec, task_id)
            return Written("written", task_id, passed, exact, cancelled, totals)
    except IntegrityError:  # another replica wrote this tick first (the unique key): nothing was written
        return Written("exists", run_id(key.uid, tick))


def history(using: str, uid: str, limit: int = HISTORY) -> list[RunView]:
    """The newest enqueued runs, newest first, with their tasks' status (GONE: the task was deleted)."""
    close_old_connections()
    runs = list(
        _rows(using, uid)
        .filter(state="enqueued")
        .order_by("-scheduled_at")
        .values_list("pk", "scheduled_at")[:limit]
    )
    tasks = {
        pk: (status, finished)
        for pk, status, finished in TaskRecord.objects.using(using)
        .filter(pk__in=[pk for pk, _ in runs])
        .values_list("pk", "status", "finished_at")
    }
    return [RunView(pk, tick, *tasks.get(pk, ("GONE", None))) for pk, tick in runs]


def last_success(views: Sequence[RunView]) -> datetime | None:
    finished = [v.finished_at for v in views if v.status == TaskResultStatus.SUCCESSFUL and v.finished_at]
    return max(finished) if finished else None


def trim(using: str, namespace: str, live: Collection[str], batch: int = 1000) -> int:
    """Delete the ledger rows of `namespace` whose task row is gone (pruned, or a skipped tick that never
    had one), except the newest row of each schedule in `live` (it holds the totals and the last tick):
    the ledger shrinks as the task rows are pruned. At most `batch` rows per call; the number deleted."""
    close_old_connections()
    ledger = ScheduledRun.objects.using(using)
    newest = ledger.filter(schedule_uid=OuterRef("schedule_uid")).order_by("-scheduled_at").values("pk")[:1]
    tasks = TaskRecord.objects.using(using).filter(pk=OuterRef("pk"))
    gone = (
        ledger.filter(namespace=namespace)
        .filter(~Exists(tasks))
        .annotate(newest=Subquery(newest))
        .exclude(schedule_uid__in=list(live), pk=F("newest"))
    )
    ids = list(gone.values_list("pk", flat=True)[:batch])
    return ledger.filter(pk__in=ids).delete()[0] if ids else 0
