"""TaskQueue spec (a dict, as the API returns it) -> QueueProfile, or ProfileError listing every problem."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from . import labels
from .checks import check_spec
from .errors import MISSING, FieldProblem, ProfileError, problems_from
from .spec import QueueProfile, QueueSpec


def parse_profile(name: str, spec: Mapping[str, Any] | None) -> QueueProfile:
    """Validate the ``spec`` of the TaskQueue called ``name``.

    Raises ProfileError (a ValueError) whose ``problems`` name each field, value, reason and fix; its
    str() joins them with "; " (fit for a status condition message).
    """
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
    if problems:
        raise ProfileError(problems)
    return QueueProfile(**{**dict(validated), "name": name, "queue_name": validated.queue_name or name})
