"""TaskRecord's manager: the claim query and per-queue counts (used by the operator)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Case, CharField, Count, Expression, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from .compat import TaskResultStatus

if TYPE_CHECKING:
    from .models import TaskRecord

# Ordering of the claim: highest priority first, then oldest, then id for a total order.
CLAIM_ORDER = ("-priority", "enqueued_at", "id")
COUNT_KEYS = {
    TaskResultStatus.READY: "ready",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.SUCCESSFUL: "succeeded",
    TaskResultStatus.FAILED: "failed",
}


def job_names_sql(records: "list[TaskRecord]", names: dict[str, str]) -> Expression:
    """The job_name column for a claimed batch. Names of the plain form ``task-<id>-<attempt>`` (every id
    this backend makes) are one expression over the row's own columns; otherwise one CASE arm per row,
    which made claiming 200 rows take 29 ms instead of 7 (SQLite; PostgreSQL 33 instead of 11)."""
    if all(names[r.pk] == f"task-{r.pk}-{r.attempt}" for r in records):
        return Concat(
            Value("task-"), F("id"), Value("-"), Cast("attempt", CharField()), output_field=CharField()
        )
    return Case(*(When(pk=pk, then=Value(name)) for pk, name in names.items()))


def claimable_q(now: datetime) -> Q:
    """Rows the operator may start a Job for. Matches the partial index ``k8s_tasks_claim_idx``."""
    return Q(status=TaskResultStatus.READY, dispatched_at__isnull=True, cancel_requested=False) & (
        Q(run_after__isnull=True) | Q(run_after__lte=now)
    )


class TaskRecordQuerySet(models.QuerySet["TaskRecord"]):
    def claimable(self, queue_name: str, now: datetime | None = None) -> "TaskRecordQuerySet":
        return self.filter(claimable_q(now or timezone.now()), queue_name=queue_name).order_by(*CLAIM_ORDER)

    def claim(
        self,
        queue_name: str,
        limit: int,
        *,
        namespace: str,
        job_name: Callable[[str, int], str],
        now: datetime | None = None,
        fields: Sequence[str] = (),
    ) -> list["TaskRecord"]:
        """Mark up to ``limit`` claimable rows of the queue as dispatched and return them.

        On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent operators claim disjoint rows.
        The rows are then taken by one conditional UPDATE (still READY and unclaimed), so even without row
        locks (SQLite) a row is claimed by one caller only. ``now`` is the time of the claim (the operator
        passes the database's clock: run_after is compared with it and dispatched_at set to it);
        ``fields`` limits the columns loaded (the operator never loads arguments).
        """
        if limit <= 0:
            return []
        now = now or timezone.now()
        manager = self.model._default_manager.using(self.db)
        with transaction.atomic(using=self.db):
            candidates = self.claimable(queue_name, now)
            if fields:
                candidates = candidates.only(*fields)
            if transaction.get_connection(self.db).features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            records = list(candidates[:limit])
            if not records:
                return []
            names = {record.pk: job_name(record.id, record.attempt) for record in records}
            # One UPDATE for the batch (one per row cost ~1.5 ms each); the job name differs per row.
            applied = manager.filter(claimable_q(now), pk__in=list(names)).update(
                dispatched_at=now,
                job_name=job_names_sql(records, names),
                job_namespace=namespace,
                reason="",
            )
            if applied != len(records):  # only without row locks, if another claimer got there first
                mine = manager.filter(pk__in=list(names), dispatched_at=now, job_namespace=namespace)
                taken = {pk for pk, name in mine.values_list("pk", "job_name") if names[pk] == name}
                records = [record for record in records if record.pk in taken]
        for record in records:
            record.dispatched_at, record.job_name = now, names[record.pk]
            record.job_namespace, record.reason = namespace, ""
        return records

    def queue_counts(self, finished_since: datetime | None = None) -> dict[str, dict[str, int]]:
        """Per queue: how many rows are ready, running, succeeded and failed. With ``finished_since``,
        finished rows count only from then on ("failed recently"), which keeps the query cheap however
        large the history grows; READY and RUNNING are always counted in full."""
        counts: dict[str, dict[str, int]] = {}
        rows = self.order_by()
        if finished_since is not None:
            rows = rows.filter(
                Q(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
                | Q(finished_at__gte=finished_since)
            )
        grouped = rows.values_list("queue_name", "status").annotate(n=Count("pk"))
        for queue_name, status, n in grouped:
            queue = counts.setdefault(queue_name, dict.fromkeys(COUNT_KEYS.values(), 0))
            queue[COUNT_KEYS[TaskResultStatus(status)]] += n
        return counts


class TaskRecordManager(models.Manager["TaskRecord"]):
    def get_queryset(self) -> TaskRecordQuerySet:
        return TaskRecordQuerySet(self.model, using=self._db)

    def claim(
        self,
        queue_name: str,
        limit: int,
        *,
        namespace: str,
        job_name: Callable[[str, int], str],
        now: datetime | None = None,
        fields: Sequence[str] = (),
    ) -> list["TaskRecord"]:
        return self.get_queryset().claim(
            queue_name, limit, namespace=namespace, job_name=job_name, now=now, fields=fields
        )

    def queue_counts(self, finished_since: datetime | None = None) -> dict[str, dict[str, int]]:
        return self.get_queryset().queue_counts(finished_since)

    def claimable(self, queue_name: str, now: datetime | None = None) -> TaskRecordQuerySet:
        return self.get_queryset().claimable(queue_name, now)

    def cancel(self, result_id: str) -> bool:
        """See k8s_tasks.cancel()."""
        return self.get_queryset().get(pk=result_id).cancel()
