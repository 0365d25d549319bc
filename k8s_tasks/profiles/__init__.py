"""Queue profiles: the TaskQueue spec (pydantic), its validation, and profile + task -> Job manifest.

Pure and cluster-free: imports neither Django nor kopf, so the operator, the backend and the tests can all
use it. The public API:

    parse_profile(name, spec, pod_security="restricted") -> QueueProfile
        # raises ProfileError (field, value, reason, hint): the spec, and its final pod against the Pod
        # Security level (POD_SECURITY_LEVELS) and k8s-tasks' own rules (podrules.py)
    build_job(profile, TaskRef(...), namespace=..., default_image=..., settings_module=...) -> dict
    job_name(task_id, attempt) -> str                     # deterministic DNS label, <= 57 characters
"""

from .errors import FieldProblem, ProfileError
from .job import TaskRef, build_job, identity_labels
from .labels import job_name, sanitize_label_value
from .merge import merge
from .parse import check_final_pod, parse_profile
from .podsecurity import LEVELS as POD_SECURITY_LEVELS
from .quantity import parse_quantity
from .spec import QueueProfile, QueueSpec, Resources, RetryPolicy, ScratchVolume

__all__ = [
    "POD_SECURITY_LEVELS",
    "FieldProblem",
    "ProfileError",
    "QueueProfile",
    "QueueSpec",
    "Resources",
    "RetryPolicy",
    "ScratchVolume",
    "TaskRef",
    "build_job",
    "check_final_pod",
    "identity_labels",
    "job_name",
    "merge",
    "parse_profile",
    "parse_quantity",
    "sanitize_label_value",
]
