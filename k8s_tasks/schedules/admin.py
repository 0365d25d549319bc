"""The admin's view of schedules: on a task enqueued by a TaskSchedule, which schedule and which tick
(``scheduled_by``, and a "scheduled by" filter on the task list), and the ledger itself, one row per tick
decided (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .ids import scheduled_at
from .ledger import ScheduledRun


class ScheduledByMixin:
    """For TaskRecordAdmin: the ``scheduled_by`` read-only field."""

    @admin.display(description="scheduled by")
    def scheduled_by(self, obj: Any) -> SafeString | str:
        if scheduled_at(obj.pk) is None:
            return "-"
        run = ScheduledRun.objects.using(obj._state.db or "default").filter(pk=obj.pk).first()
        if run is None:  # the ledger row is gone: the id still tells the tick
            return f"a TaskSchedule, for its tick of {scheduled_at(obj.pk):%Y-%m-%d %H:%M:%S} UTC"
        runs = reverse("admin:k8s_tasks_scheduledrun_changelist")
        return format_html(
            'TaskSchedule <a href="{}?schedule_uid={}">{}</a>, for its tick of {} UTC',
            runs,
            run.schedule_uid,
            run.schedule,
            f"{run.scheduled_at:%Y-%m-%d %H:%M:%S}",
        )


class ScheduleFilter(admin.SimpleListFilter):
    """Tasks by the TaskSchedule that enqueued them."""

    title = "scheduled by"
    parameter_name = "schedule"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = ScheduledRun.objects.values_list("namespace", "schedule_name").distinct()
        return [("-", "no schedule"), *((f"{ns}/{name}", f"{ns}/{name}") for ns, name in sorted(set(names)))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        runs = ScheduledRun.objects.filter(state="enqueued")
        if value == "-":
            return queryset.exclude(pk__in=runs.values("pk"))
        namespace, _, name = value.partition("/")
        return queryset.filter(pk__in=runs.filter(namespace=namespace, schedule_name=name).values("pk"))


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("schedule", "scheduled_at", "state", "task", "passed_over", "decided_at")
    list_filter = ("namespace", "schedule_name", "state")
    search_fields = ("id", "schedule_name", "schedule_uid")
    ordering = ("-scheduled_at",)
    date_hierarchy = "scheduled_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ScheduledRun | None = None) -> bool:
        return False

    # django-stubs for 5.2 declare `request` optional (deprecated there); Django 5.2 and 6 both pass it.
    def lookup_allowed(  # type: ignore[override,unused-ignore]
        self, lookup: str, value: str, request: HttpRequest
    ) -> bool:
        """?schedule_uid=...: the runs of one schedule (the link from a task's "scheduled by")."""
        return lookup == "schedule_uid" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="task")
    def task(self, obj: ScheduledRun) -> SafeString | str:
        if obj.state != "enqueued":
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:k8s_tasks_taskrecord_change", args=[obj.pk]), obj.pk
        )
