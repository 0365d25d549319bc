"""TaskQueue spec (a dict, as the API returns it) -> QueueProfile, or ProfileError listing every problem."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from . import labels
from .checks import check_spec
from .errors import MISSING, FieldProblem, ProfileError, problems_from
from .job import TaskRef, build_job
from .podrules import check_pod_rules
from .podsecurity import DEFAULT_LEVEL, check_pod_security, validate_level
from .spec import QueueProfile, QueueSpec

#: The task the final pod of a queue is built for when it is checked (any task gives the same pod,
#: but for its id, attempt and labels).
SAMPLE_TASK = TaskRef(
    id="00000000-0000-0000-0000-000000000000", attempt=1, task_path="app.tasks.t", queue_name="q"
)


def final_pod_template(profile: QueueProfile) -> dict[str, Any]:
    """The pod template (metadata and spec) of the Jobs of ``profile``: the podTemplate merged last."""
    task = TaskRef(SAMPLE_TASK.id, SAMPLE_TASK.attempt, SAMPLE_TASK.task_path, profile.queue_name)
    job = build_job(profile, task, namespace="default", default_image="image", settings_module="settings")
    template: dict[str, Any] = job["spec"]["template"]
    return template


def _unmergeable(exc: Exception) -> FieldProblem:
    return FieldProblem(
        "spec.podTemplate",
        MISSING,
        f"cannot be merged into the task pod ({type(exc).__name__}: {exc})",
        "write it as a partial pod template: metadata {labels, annotations} and spec",
    )


_MERGE_ERRORS = (AttributeError, KeyError, TypeError, ValueError)


def _pod_problems(profile: QueueProfile, template: dict[str, Any], pod_security: str) -> list[FieldProblem]:
    pod_template = {str(key): value for key, value in (profile.pod_template or {}).items()} or None
    return [
        *check_pod_security(template, pod_template, pod_security),
        *check_pod_rules(profile, template, pod_template),
    ]


def check_final_pod(profile: QueueProfile, pod_security: str = DEFAULT_LEVEL) -> list[FieldProblem]:
    """The problems of the final pod of ``profile``: Pod Security at level ``pod_security``, then
    k8s-tasks' own rules (at every level), each naming the TaskQueue field that caused it."""
    validate_level(pod_security)
    try:
        template = final_pod_template(profile)
    except _MERGE_ERRORS as exc:
        return [_unmergeable(exc)]
    return _pod_problems(profile, template, pod_security)


def parse_profile(
    name: str, spec: Mapping[str, Any] | None, *, pod_security: str = DEFAULT_LEVEL
) -> QueueProfile:
    """Validate the ``spec`` of the TaskQueue called ``name``, and its final pod against the Pod Security
    level ``pod_security`` ("restricted", "baseline" or "privileged": ValueError otherwise) and
    k8s-tasks' own rules.

    Raises ProfileError (a ValueError) whose ``problems`` name each field, value, reason and fix, all at
    once; its str() joins them with "; " (fit for a status condition message).
    """
    level = validate_level(pod_security)
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise ProfileError.single("spec", spec, "is not a mapping", "write the spec as key: value pairs")
    try:
        validated = QueueSpec.model_validate(dict(spec))
    except ValidationError as exc:
        raise ProfileError(problems_from(exc, QueueSpec)) from None
    problems = check_spec(validated)
    if validated.queue_name is None and not labels.is_label_value(name):
        problems.append(
            FieldProblem(
                "spec.queueName",
                MISSING,
                f"is required: the object name {name!r} is not a valid queue name",
                "set spec.queueName to the Django queue name (at most 63 characters [-_.A-Za-z0-9])",
            )
        )
    profile = QueueProfile(**{**dict(validated), "name": name, "queue_name": validated.queue_name or name})
    try:
        template = final_pod_template(profile)
    except _MERGE_ERRORS as exc:
        if not problems:  # else the podTemplate's own problems above say why
            problems.append(_unmergeable(exc))
    else:
        problems.extend(_pod_problems(profile, template, level))
    if problems:
        raise ProfileError(problems)
    return profile
