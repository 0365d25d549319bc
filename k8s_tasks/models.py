"""TaskRecord: one row per task result, and its state machine.

Every state change is one conditional UPDATE (``filter(pk, status, attempt).update(...)``) that returns
whether it applied; there is no read-modify-write of the status. Fields that accumulate (``errors``,
``worker_ids``) only change on transitions that leave the (status, attempt) they were read in, and the
attempt number only grows, so "read the list, then UPDATE on the same (status, attempt) condition" cannot
overwrite a concurrent change: if the UPDATE applies, the list is still what was read.
"""

import uuid
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from .compat import TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, Task, TaskError, TaskResult, TaskResultStatus
from .queries import TaskRecordManager

ACTIVE = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
CANCELLED_PATH = "k8s_tasks.exceptions.TaskCancelled"


def new_id() -> str:
    return str(uuid.uuid4())


def error_entry(exception_class_path: str, traceback: str) -> dict[str, str]:
    return {"exception_class_path": exception_class_path, "traceback": traceback}


def _tail(log_tail: str | None) -> dict[str, str]:
    """The log_tail column for an outcome's UPDATE: set when given (None leaves it as it is)."""
    return {} if log_tail is None else {"log_tail": log_tail}


class TaskRecord(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=new_id, editable=False)
    task_path = models.TextField()
    queue_name = models.CharField(max_length=63)
    backend_name = models.CharField(max_length=64)
    priority = models.IntegerField(default=0)
    run_after = models.DateTimeField(null=True, blank=True)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=TaskResultStatus.choices, default=TaskResultStatus.READY)
    return_value = models.JSONField(null=True, blank=True, default=None)
    errors = models.JSONField(default=list)  # [{"exception_class_path", "traceback"}], one per failure
    enqueued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_attempted_at = models.DateTimeField(null=True, blank=True)
    worker_ids = models.JSONField(default=list)
    attempt = models.PositiveIntegerField(default=1)  # the attempt the current/next Job runs
    infra_retries = models.PositiveIntegerField(default=0)  # attempts re-run for infrastructure causes
    job_name = models.CharField(max_length=63, blank=True, default="")
    job_namespace = models.CharField(max_length=63, blank=True, default="")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")  # why it failed last, or why it is still pending
    cancel_requested = models.BooleanField(default=False)
    # The end of the attempt's output (stdout and stderr, OPTIONS["LOG_TAIL_BYTES"]), stored with its outcome
    # by whoever writes it: the runner (from its own output) or the operator (from the pod's log).
    log_tail = models.TextField(blank=True, default="")
    retried_from = models.CharField(max_length=64, blank=True, default="")  # the task this one runs again
    retried_as = models.CharField(max_length=64, blank=True, default="")  # its run again (k8s_tasks.retry)

    objects = TaskRecordManager()

    class Meta:
        verbose_name = "task"
        ordering = ["-enqueued_at"]
        indexes = [
            # The claim query: queue, READY, not dispatched, not cancelled, ordered by priority then age.
            models.Index(
                "queue_name",
                models.F("priority").desc(),
                "enqueued_at",
                "id",
                name="k8s_tasks_claim_idx",
                condition=Q(status="READY", dispatched_at__isnull=True, cancel_requested=False),
            ),
            models.Index(fields=["queue_name", "status"], name="k8s_tasks_queue_status_idx"),
            models.Index(fields=["-enqueued_at"], name="k8s_tasks_recent_idx"),
            # Recently finished rows, for the TaskQueue status counts.
            models.Index(fields=["finished_at"], name="k8s_tasks_finished_idx"),
            # Cancellations the operator still has to carry out (few at any time).
            models.Index(fields=["status"], name="k8s_tasks_cancel_idx", condition=Q(cancel_requested=True)),
            # Rows that hold a Job (claimed or running), by id: the operator's resync pages through them.
            models.Index(
                fields=["id"],
                name="k8s_tasks_inflight_idx",
                condition=Q(status="RUNNING") | Q(status="READY", dispatched_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=TASK_MIN_PRIORITY, priority__lte=TASK_MAX_PRIORITY),
                name="k8s_tasks_priority_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_path} [{self.status}] {self.id}"

    # -- reading -----------------------------------------------------------------------------------------

    def get_task(self) -> Task:
        task = import_string(self.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"task_path {self.task_path!r} of task {self.id} does not point to a Task")
        return task.using(priority=self.priority, queue_name=self.queue_name, backend=self.backend_name)

    def to_task_result(self, task: Task | None = None) -> TaskResult:
        task = task or self.get_task()
        if self.run_after is not None:
            task = task.using(run_after=self.run_after)
        result: TaskResult = TaskResult(
            task=task,
            id=self.id,
            status=TaskResultStatus(self.status),
            enqueued_at=self.enqueued_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            last_attempted_at=self.last_attempted_at,
            args=list(self.args),
            kwargs=dict(self.kwargs),
            backend=self.backend_name,
            errors=[TaskError(**entry) for entry in self.errors],
            worker_ids=list(self.worker_ids),
        )
        if self.status == TaskResultStatus.SUCCESSFUL:
            object.__setattr__(result, "_return_value", self.return_value)
        return result

    # -- transitions -------------------------------------------------------------------------------------

    def _rows(self, *statuses: str, attempt: int) -> "models.QuerySet[TaskRecord]":
        manager = type(self)._default_manager.using(self._state.db or "default")
        return manager.filter(pk=self.pk, status__in=statuses, attempt=attempt)

    def _apply(self, rows: "models.QuerySet[TaskRecord]", **values: Any) -> bool:
        """UPDATE the rows; on success mirror plain values onto this instance and reload expressions."""
        if not rows.update(**values):
            return False
        expressions = [name for name, value in values.items() if hasattr(value, "resolve_expression")]
        for name, value in values.items():
            if name not in expressions:
                setattr(self, name, value)
        if expressions:
            self.refresh_from_db(fields=expressions)
        return True

    def _current(self, field: str, rows: "models.QuerySet[TaskRecord]") -> list[Any] | None:
        values = list(rows.values_list(field, flat=True)[:1])
        return list(values[0]) if values else None

    def set_running(self, worker_id: str, attempt: int) -> bool:
        """READY (not cancelled) of this attempt -> RUNNING; records the worker and the start time."""
        rows = self._rows(TaskResultStatus.READY, attempt=attempt).filter(cancel_requested=False)
        worker_ids = self._current("worker_ids", rows)
        if worker_ids is None:
            return False
        now = timezone.now()
        return self._apply(
            rows,
            status=TaskResultStatus.RUNNING,
            worker_ids=[*worker_ids, worker_id],
            started_at=Coalesce(models.F("started_at"), models.Value(now)),
            last_attempted_at=now,
            reason="",
        )

    def set_successful(self, return_value: Any, *, log_tail: str | None = None) -> bool:
        """RUNNING (this instance's attempt) -> SUCCESSFUL with the return value (and the output's tail)."""
        rows = self._rows(TaskResultStatus.RUNNING, attempt=self.attempt)
        return self._apply(
            rows,
            status=TaskResultStatus.SUCCESSFUL,
            return_value=return_value,
            finished_at=timezone.now(),
            reason="",
            **_tail(log_tail),
        )

    def set_failed(
        self,
        exception_class_path: str,
        traceback: str,
        reason: str,
        *,
        attempt: int,
        log_tail: str | None = None,
    ) -> bool:
        """READY or RUNNING of this attempt -> FAILED; appends the error, sets finished_at and reason (and the
        output's tail, when given)."""
        rows = self._rows(*ACTIVE, attempt=attempt)
        errors = self._current("errors", rows)
        if errors is None:
            return False
        return self._apply(
            rows,
            status=TaskResultStatus.FAILED,
            errors=[*errors, error_entry(exception_class_path, traceback)],
            finished_at=timezone.now(),
            reason=reason,
            **_tail(log_tail),
        )

    def retry(
        self,
        *,
        attempt: int,
        run_after: datetime,
        infrastructure: bool,
        exception_class_path: str,
        traceback: str,
        reason: str,
        log_tail: str | None = None,
    ) -> bool:
        """READY or RUNNING of this attempt -> READY for attempt + 1 at run_after, the error appended (and
        the failed attempt's output tail, when given).

        If cancellation was requested, the task is not re-run: it becomes FAILED with this error instead.
        """
        rows = self._rows(*ACTIVE, attempt=attempt)
        errors = self._current("errors", rows)
        if errors is None:
            return False
        errors = [*errors, error_entry(exception_class_path, traceback)]
        if self._apply(
            rows.filter(cancel_requested=False),
            status=TaskResultStatus.READY,
            attempt=attempt + 1,
            infra_retries=models.F("infra_retries") + (1 if infrastructure else 0),
            run_after=run_after,
            dispatched_at=None,
            job_name="",
            errors=errors,
            reason=reason,
            **_tail(log_tail),
        ):
            return True
        return self._apply(
            rows.filter(cancel_requested=True),
            status=TaskResultStatus.FAILED,
            errors=errors,
            finished_at=timezone.now(),
            reason=f"cancelled; not retried after: {reason}",
            **_tail(log_tail),
        )

    def set_pending_reason(self, reason: str, *, attempt: int) -> bool:
        """Record why this attempt is not running yet (or what it waits for), while READY or RUNNING."""
        return self._apply(self._rows(*ACTIVE, attempt=attempt), reason=reason)

    def cancel(self) -> bool:
        """READY and not dispatched -> FAILED with TaskCancelled now; else, if unfinished, request it.

        Returns False only when the task had already finished (there was nothing to cancel).
        """
        self.refresh_from_db(fields=["attempt"])
        undispatched = self._rows(TaskResultStatus.READY, attempt=self.attempt).filter(dispatched_at=None)
        errors = self._current("errors", undispatched)
        if errors is not None and self._apply(
            undispatched,
            status=TaskResultStatus.FAILED,
            errors=[*errors, error_entry(CANCELLED_PATH, "Cancelled before it started.\n")],
            finished_at=timezone.now(),
            reason="cancelled before it started",
            cancel_requested=True,
        ):
            return True
        manager = type(self)._default_manager.using(self._state.db or "default")
        return self._apply(manager.filter(pk=self.pk, status__in=ACTIVE), cancel_requested=True)


# The ledger of TaskSchedule ticks (k8s_tasks.schedules.ledger): its own table, imported here so that Django
# registers it with this app. TaskRecord itself is unchanged by schedules.
from .schedules.ledger import ScheduledRun  # noqa: E402, F401
