"""System checks for a KubernetesBackend (Django runs them through django.tasks' check_tasks)."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.core import checks

from .conf import KNOWN_OPTIONS, QUEUE_NAME_RE, option_errors


def backend_checks(alias: str, queues: Iterable[Any], options: Any) -> Iterator[checks.CheckMessage]:
    where = f"TASKS[{alias!r}]"
    if not apps.is_installed("k8s_tasks"):
        yield checks.Error(
            f"{where} uses KubernetesBackend, but the k8s_tasks app is not installed.",
            hint="Add 'k8s_tasks' to INSTALLED_APPS.",
            id="k8s_tasks.E001",
        )
    for message in option_errors(alias, options):
        yield checks.Error(
            f"{where} has bad OPTIONS: {message}",
            hint=f"Fix OPTIONS as described; the known keys are {', '.join(KNOWN_OPTIONS)}.",
            id="k8s_tasks.E002",
        )
    queues = sorted(queues, key=str)
    if not queues:  # Django documents an empty list as valid: no queue validation
        yield checks.Warning(
            f"{where}['QUEUES'] is empty: Django then validates no queue name, and a task enqueued on a "
            "queue that no TaskQueue serves waits (READY, with a reason saying so) until one does.",
            hint=f"List the queue names in {where}['QUEUES'] (e.g. ['default', 'gpu']) to have a typo in "
            "queue_name refused at enqueue.",
            id="k8s_tasks.W001",
        )
    for queue in queues:
        if not isinstance(queue, str) or not QUEUE_NAME_RE.match(queue):
            yield checks.Error(
                f"{where}['QUEUES'] contains {queue!r}, which is not a valid Kubernetes label value.",
                hint="Use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter "
                "or digit.",
                id="k8s_tasks.E004",
            )
