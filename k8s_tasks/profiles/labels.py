"""Kubernetes naming rules: label keys and values, DNS names, and the deterministic Job name.

Everything here is pure. Sanitising is deterministic and, whenever it has to change a value, appends a
short hash of the original so that two different inputs never collapse to the same label or name.
"""

import hashlib
import re

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "k8s-tasks"
PREFIX = "k8stasks.io/"
TASK_ID = PREFIX + "task-id"
QUEUE = PREFIX + "queue"
TASK_NAME = PREFIX + "task-name"
ATTEMPT = PREFIX + "attempt"
NETWORK = PREFIX + "network"
TASK_PATH = PREFIX + "task-path"
PRIORITY = PREFIX + "priority"
BACKEND = PREFIX + "backend"
TIMEOUT_SECONDS = PREFIX + "timeout-seconds"
"""On a Job: its queue's timeoutSeconds (its activeDeadlineSeconds is a second more: profiles.job)."""

LABEL_VALUE_MAX = 63
DNS_LABEL_MAX = 63
DNS_SUBDOMAIN_MAX = 253
# The Job controller names pods "<job-name>-<5 random chars>"; keep that a valid DNS label (hostname).
JOB_NAME_MAX = DNS_LABEL_MAX - 6

_LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[-_.A-Za-z0-9]*[A-Za-z0-9])?)?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9](?:[-_.A-Za-z0-9]*[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$")


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def is_label_value(value: str) -> bool:
    return len(value) <= LABEL_VALUE_MAX and _LABEL_VALUE.match(value) is not None


def is_dns_label(value: str) -> bool:
    return len(value) <= DNS_LABEL_MAX and _DNS_LABEL.match(value) is not None


def is_dns_subdomain(value: str) -> bool:
    return len(value) <= DNS_SUBDOMAIN_MAX and _DNS_SUBDOMAIN.match(value) is not None


def label_key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label/annotation key ("prefix/name" or "name"), or None if it is."""
    prefix, slash, name = key.rpartition("/")
    if slash and not is_dns_subdomain(prefix):
        return f"its prefix {prefix!r} is not a DNS subdomain (lower-case, e.g. example.com)"
    if not name or len(name) > 63 or _LABEL_NAME.match(name) is None:
        return "its name part must be 1-63 characters [-_.A-Za-z0-9], starting and ending alphanumeric"
    return None


def sanitize_label_value(value: str) -> str:
    """``value`` if it is a valid label value, else a valid, deterministic, collision-resistant stand-in."""
    if is_label_value(value):
        return value
    cleaned = re.sub(r"[^-_.A-Za-z0-9]+", "-", value)
    suffix = short_hash(value)
    head = cleaned[: LABEL_VALUE_MAX - len(suffix) - 1].strip("-_.")
    return f"{head}-{suffix}" if head else suffix


def _dns_part(value: str, max_length: int) -> str:
    """A DNS-label-safe rendering of ``value`` at most ``max_length`` long (hash-suffixed if changed)."""
    if is_dns_label(value) and len(value) <= max_length:
        return value
    cleaned = re.sub(r"[^a-z0-9]+", "-", value.lower())
    suffix = short_hash(value)
    head = cleaned[: max_length - len(suffix) - 1].strip("-")
    return f"{head}-{suffix}" if head else suffix


def job_name(task_id: str, attempt: int) -> str:
    """The Job of one attempt of one task: ``task-<id>-<attempt>``, a DNS label of at most 57 characters.

    Deterministic, so that a restarted operator recreating a claimed row's Job hits AlreadyExists instead
    of starting a second copy. A UUID task id (36 characters) is used as is.
    """
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    tail = f"-{attempt}"
    room = JOB_NAME_MAX - len("task-") - len(tail)
    return f"task-{_dns_part(task_id, room)}{tail}"


def task_name(task_path: str) -> str:
    """The function name of a dotted task path ("app.tasks.send_video" -> "send_video"), label-safe."""
    return sanitize_label_value(task_path.rsplit(".", 1)[-1])
