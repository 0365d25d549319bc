"""Read-only admin for task rows: filter by queue and status, search by id and path, tracebacks shown."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .models import TaskRecord


@admin.register(TaskRecord)
class TaskRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "task_path",
        "queue_name",
        "status",
        "attempt",
        "reason",
        "enqueued_at",
        "finished_at",
    )
    list_filter = ("queue_name", "status")
    search_fields = ("id", "task_path")
    ordering = ("-enqueued_at",)
    date_hierarchy = "enqueued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TaskRecord | None = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: TaskRecord | None = None) -> list[Any]:
        fields = [field.name for field in TaskRecord._meta.fields]
        fields[fields.index("errors")] = "formatted_errors"
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: TaskRecord | None = None) -> list[Any]:
        return self.get_fields(request, obj)

    @admin.display(description="errors")
    def formatted_errors(self, obj: TaskRecord) -> SafeString | str:
        if not obj.errors:
            return "-"
        return format_html_join(
            "",
            "<p><strong>attempt {}: {}</strong></p><pre>{}</pre>",
            (
                (number, entry.get("exception_class_path", "?"), entry.get("traceback", ""))
                for number, entry in enumerate(obj.errors, start=1)
            ),
        )
