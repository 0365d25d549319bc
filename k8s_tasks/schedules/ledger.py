"""ScheduledRun: one row per tick of a TaskSchedule that was decided, the ledger that makes each tick
enqueue exactly once.

The database enforces it: a tick's row is unique by (schedule uid, scheduled time), and its id is the
run's task id derived from that same key (ids.run_id), so the row and the task are inserted together in
one transaction or not at all, whichever operator replica, restart or clock gets there first. Ordinary
tasks never touch this table: enqueue() is unchanged.

A tick is ``enqueued`` (it has its task) or ``skipped`` (concurrencyPolicy Forbid found a run active
when it was due; CronJob may still start it later, and then it becomes enqueued). Ticks passed over
between two rows (operator down, suspended, superseded by a later tick, past startingDeadlineSeconds)
are counted as missed on the later row (``passed_over``); the ``*_total`` columns of a schedule's newest
row count everything since it was created, so older rows can be deleted without losing the counts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

STATES = ("enqueued", "skipped")


class ScheduledRun(models.Model):
    id = models.CharField(primary_key=True, max_length=64, editable=False)
    """ids.run_id(schedule_uid, scheduled_at): the task's id once the tick is enqueued."""
    schedule_uid = models.CharField(max_length=64)
    namespace = models.CharField(max_length=63)
    schedule_name = models.CharField(max_length=253)
    scheduled_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=[(state, state) for state in STATES])
    open = models.BooleanField(default=False)
    """Enqueued and its task not yet seen finished: the schedule's active runs (few; indexed)."""
    decided_at = models.DateTimeField()
    """When the operator decided the tick, by the schedule clock (the database's)."""
    passed_over = models.PositiveIntegerField(default=0)
    """Ticks between the previous row and this one that were never started (counted as missed)."""
    runs_total = models.PositiveBigIntegerField(default=0)
    skipped_total = models.PositiveBigIntegerField(default=0)
    missed_total = models.PositiveBigIntegerField(default=0)

    class Meta:
        app_label = "k8s_tasks"
        verbose_name = "scheduled run"
        ordering = ["-scheduled_at"]
        constraints = [
            # Exactly once per tick: the database refuses a second row for the same tick of a schedule.
            models.UniqueConstraint(
                fields=["schedule_uid", "scheduled_at"], name="k8s_tasks_one_run_per_tick"
            ),
        ]
        indexes = [
            models.Index(fields=["schedule_uid"], name="k8s_tasks_run_open_idx", condition=Q(open=True)),
            models.Index(
                fields=["namespace", "schedule_name", "-scheduled_at"], name="k8s_tasks_run_name_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.schedule_name} @ {self.scheduled_at:%Y-%m-%d %H:%M:%S} ({self.state})"

    @property
    def schedule(self) -> str:
        return f"{self.namespace}/{self.schedule_name}"
