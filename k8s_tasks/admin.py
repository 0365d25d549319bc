"""The admin for task rows: filter by queue and status, search by id and path, tracebacks and the stored log
tail shown; "Cancel" and "Run again" on the change list (bulk, with a confirmation page) and as buttons on
one task, each telling what happened to every task."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .actions import cancel_task, retry_described
from .models import ACTIVE, FINISHED, TaskRecord
from .schedules.admin import ScheduledByMixin, ScheduleFilter

CONFIRMATION = "admin/k8s_tasks/taskrecord/action_confirmation.html"
MAX_MESSAGES = 20  # one message per task up to this many; then a count of the rest


@admin.register(TaskRecord)
class TaskRecordAdmin(ScheduledByMixin, admin.ModelAdmin):  # type: ignore[type-arg]
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
    list_filter = ("queue_name", "status", ScheduleFilter)
    search_fields = ("id", "task_path")
    ordering = ("-enqueued_at",)
    date_hierarchy = "enqueued_at"
    actions = ("cancel_selected", "retry_selected")
    change_form_template = "admin/k8s_tasks/taskrecord/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TaskRecord | None = None) -> bool:
        return False

    def has_cancel_permission(self, request: HttpRequest, obj: TaskRecord | None = None) -> bool:
        """Cancelling changes a task: the model's change permission."""
        return request.user.has_perm("k8s_tasks.change_taskrecord")

    def has_retry_permission(self, request: HttpRequest, obj: TaskRecord | None = None) -> bool:
        """Running a task again adds one: the model's add permission."""
        return request.user.has_perm("k8s_tasks.add_taskrecord")

    def get_fields(self, request: HttpRequest, obj: TaskRecord | None = None) -> list[Any]:
        shown = {
            "errors": "formatted_errors",
            "log_tail": "formatted_log_tail",
            "retried_from": "retried_from_link",
            "retried_as": "retried_as_link",
        }
        return [*(shown.get(field.name, field.name) for field in TaskRecord._meta.fields), "scheduled_by"]

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

    @admin.display(description="log tail")
    def formatted_log_tail(self, obj: TaskRecord) -> SafeString | str:
        if not obj.log_tail:
            return "-" if obj.status in FINISHED else "- (stored when the task ends)"
        return format_html('<pre class="k8s-tasks-log-tail">{}</pre>', obj.log_tail)

    def _link(self, task_id: str) -> SafeString | str:
        if not task_id:
            return "-"
        url = reverse("admin:k8s_tasks_taskrecord_change", args=[task_id])
        return format_html('<a href="{}">{}</a>', url, task_id)

    @admin.display(description="retried from")
    def retried_from_link(self, obj: TaskRecord) -> SafeString | str:
        return self._link(obj.retried_from)

    @admin.display(description="retried as")
    def retried_as_link(self, obj: TaskRecord) -> SafeString | str:
        return self._link(obj.retried_as)

    # -- acting on tasks -------------------------------------------------------------------------------

    def _cancel(self, request: HttpRequest, tasks: list[TaskRecord]) -> None:
        report = []
        for task in tasks:
            done = cancel_task(task.pk)
            level = messages.WARNING if done.outcome == "finished" else messages.SUCCESS
            report.append((level, format_html("Task {}: {}", task.pk, done.describe())))
        self._report(request, report)

    def _retry(self, request: HttpRequest, tasks: list[TaskRecord]) -> None:
        report = []
        for task in tasks:
            done = retry_described(task.pk)
            if done.new_id:
                text = format_html("Task {}: re-run as {}", task.pk, self._link(done.new_id))
                report.append((messages.SUCCESS, text))
            else:
                report.append((messages.WARNING, format_html("Task {}: {}", task.pk, done.describe())))
        self._report(request, report)

    def _report(self, request: HttpRequest, report: list[tuple[int, SafeString]]) -> None:
        for level, text in report[:MAX_MESSAGES]:
            self.message_user(request, text, level)
        rest = report[MAX_MESSAGES:]
        if rest:
            done = sum(1 for level, _ in rest if level == messages.SUCCESS)
            self.message_user(
                request,
                f"... and {len(rest)} more tasks: {done} done, {len(rest) - done} not (see each task)",
                messages.INFO,
            )

    def _confirm(
        self, request: HttpRequest, tasks: list[TaskRecord], verb: str, question: str, action: str = ""
    ) -> TemplateResponse:
        """The confirmation page: bulk (``action``: posted back to the change list with post=yes, as
        Django's delete confirmation is) or for one task (posted to its own URL)."""
        back = (
            request.get_full_path()
            if action
            else reverse("admin:k8s_tasks_taskrecord_change", args=[tasks[0].pk])
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb}: are you sure?",
            "opts": self.opts,
            "question": question,
            "verb": verb,
            "tasks": tasks,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "back": back,
        }
        return TemplateResponse(request, CONFIRMATION, context)

    @admin.action(permissions=["cancel"], description="Cancel the selected tasks")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[TaskRecord]) -> HttpResponse | None:
        tasks = list(queryset.defer("args", "kwargs", "return_value", "log_tail"))
        if request.POST.get("post") != "yes":
            question = (
                "Cancel these tasks? Tasks that have not started fail now with TaskCancelled; running ones "
                "have their Job deleted (the pod gets SIGTERM); finished ones stay as they are."
            )
            return self._confirm(request, tasks, "Cancel", question, "cancel_selected")
        self._cancel(request, tasks)
        return None

    @admin.action(permissions=["retry"], description="Run the selected tasks again")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[TaskRecord]) -> HttpResponse | None:
        tasks = list(queryset.defer("return_value", "log_tail"))
        if request.POST.get("post") != "yes":
            question = (
                "Run these tasks again? Each finished task is enqueued anew (same task, arguments, queue "
                "and priority; a new id); tasks still waiting or running, or already run again, are not."
            )
            return self._confirm(request, tasks, "Run again", question, "retry_selected")
        self._retry(request, tasks)
        return None

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="k8s_tasks_taskrecord_cancel",
            ),
            path(
                "<path:object_id>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="k8s_tasks_taskrecord_retry",
            ),
        ]
        return own + super().get_urls()

    def _one(self, request: HttpRequest, object_id: str, allowed: bool) -> TaskRecord:
        if not allowed:
            raise PermissionDenied
        task = self.get_object(request, object_id)
        if task is None:
            raise PermissionDenied
        return task

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        task = self._one(request, object_id, self.has_cancel_permission(request))
        if request.method != "POST":
            return self._confirm(request, [task], "Cancel", "Cancel this task?")
        self._cancel(request, [task])
        return HttpResponseRedirect(reverse("admin:k8s_tasks_taskrecord_change", args=[task.pk]))

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        task = self._one(request, object_id, self.has_retry_permission(request))
        if request.method != "POST":
            return self._confirm(request, [task], "Run again", "Run this task again, as a new task?")
        self._retry(request, [task])
        return HttpResponseRedirect(reverse("admin:k8s_tasks_taskrecord_change", args=[task.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        task = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if task is not None:
            extra["can_cancel"] = task.status in ACTIVE and self.has_cancel_permission(request)
            extra["can_retry"] = (
                task.status in FINISHED and not task.retried_as and self.has_retry_permission(request)
            )
        return super().change_view(request, object_id, form_url, extra)
