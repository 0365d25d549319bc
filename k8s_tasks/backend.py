"""KubernetesBackend: the django.tasks backend that stores each task as a row for the operator."""

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core import checks

from .arguments import PayloadLimits
from .checks import backend_checks
from .compat import BaseTaskBackend, InvalidTask, Task, TaskResult, TaskResultDoesNotExist
from .conf import BackendOptions, parse_options
from .enqueueing import store_tasks


class KubernetesBackend(BaseTaskBackend):
    supports_defer = True
    supports_priority = True
    supports_get_result = True
    supports_async_task = True

    @cached_property
    def options_parsed(self) -> BackendOptions:
        """This backend's OPTIONS, parsed once per backend instance (a settings change makes new instances);
        ImproperlyConfigured says what to set."""
        return parse_options(self.alias, self.options)

    @cached_property
    def argument_limits(self) -> PayloadLimits:
        """OPTIONS MAX_ARGUMENTS_BYTES and MAX_NESTING_DEPTH, checked at enqueue."""
        options = self.options_parsed
        setting = f"TASKS[{self.alias!r}]['OPTIONS']"
        return PayloadLimits(options.max_arguments_bytes, options.max_nesting_depth, setting)

    @cached_property
    def result_limits(self) -> PayloadLimits:
        """OPTIONS MAX_RESULT_BYTES and MAX_NESTING_DEPTH, checked by the runner before it writes a result."""
        options = self.options_parsed
        setting = f"TASKS[{self.alias!r}]['OPTIONS']"
        return PayloadLimits(options.max_result_bytes, options.max_nesting_depth, setting)

    def validate_task(self, task: Task) -> None:
        """Django's checks and wording first (code and tests written against Django's backends match on
        it), then what to do about an unknown queue."""
        try:
            super().validate_task(task)
        except InvalidTask as error:
            if self.queues and task.queue_name not in self.queues and str(error).startswith("Queue "):
                raise InvalidTask(
                    f"{error} The task backend {self.alias!r} has the queues "
                    f"{', '.join(sorted(self.queues))}: add {task.queue_name!r} to "
                    f"TASKS[{self.alias!r}]['QUEUES'], or use one of those."
                ) from None
            raise

    def enqueue(self, task: Task, args: Sequence[Any], kwargs: dict[str, Any]) -> TaskResult:
        # aenqueue is BaseTaskBackend's: sync_to_async(self.enqueue), so both share this one path.
        return store_tasks(self, task, [(args, kwargs)])[0]

    def get_result(self, result_id: str) -> TaskResult:
        from .models import TaskRecord

        database = self.options_parsed.database
        try:
            record = TaskRecord.objects.using(database).get(pk=str(result_id), backend_name=self.alias)
        except TaskRecord.DoesNotExist as e:
            raise TaskResultDoesNotExist(result_id) from e
        return record.to_task_result()

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *backend_checks(self.alias, self.queues, self.options)]
