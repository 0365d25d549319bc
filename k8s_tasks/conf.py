"""The one place that reads k8s-tasks configuration from Django settings.

A backend is configured as::

    TASKS = {
        "default": {
            "BACKEND": "k8s_tasks.backend.KubernetesBackend",
            "QUEUES": ["default", "gpu"],
            "OPTIONS": {"DATABASE": "default", "NAMESPACE": "default"},
        }
    }

OPTIONS also bound the payloads (k8s_tasks.arguments enforces them): ``MAX_ARGUMENTS_BYTES`` and
``MAX_RESULT_BYTES``, the JSON size of a task's arguments and of its return value (1 MiB each by default),
and ``MAX_NESTING_DEPTH``, how deeply lists and dicts may nest in one argument or the return value (32).
``LOG_TAIL_BYTES`` is how much of the end of each task's output (stdout and stderr) is stored with its row
when it ends (16384 by default; 0 stores none).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .compat import DEFAULT_TASK_BACKEND_ALIAS
from .logtail import DEFAULT_LIMIT

# PostgreSQL LISTEN/NOTIFY channel; the payload is the queue name of the enqueued task.
NOTIFY_CHANNEL = "k8s_tasks"
BACKEND_PATH = "k8s_tasks.backend.KubernetesBackend"
DEFAULT_DATABASE = "default"
DEFAULT_NAMESPACE = "default"
# Queue names become Kubernetes label values: at most 63 characters, alphanumerics, '-', '_' and '.',
# starting and ending with an alphanumeric.
QUEUE_NAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
_DNS_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
KNOWN_OPTIONS = (
    "DATABASE",
    "NAMESPACE",
    "MAX_ARGUMENTS_BYTES",
    "MAX_RESULT_BYTES",
    "MAX_NESTING_DEPTH",
    "LOG_TAIL_BYTES",
)
DEFAULT_MAX_ARGUMENTS_BYTES = 1024 * 1024
DEFAULT_MAX_RESULT_BYTES = 1024 * 1024
DEFAULT_MAX_NESTING_DEPTH = 32
DEFAULT_LOG_TAIL_BYTES = DEFAULT_LIMIT
LOG_TAIL_CEILING = 1024 * 1024  # a row's log tail is read with the row (the admin, show): kept small
# PostgreSQL refuses a jsonb value over 268435455 bytes; no limit may be set above it.
JSONB_MAX_BYTES = 268_435_455
# Python's json (recursion limit 1000) and PostgreSQL's jsonb (max_stack_depth) fail far deeper than this.
NESTING_DEPTH_CEILING = 256
_JSONB = "PostgreSQL's jsonb limit"
_DEPTH = "far below where Python's json and PostgreSQL's jsonb fail"
# The payload limits: option, default, ceiling, unit, why the ceiling.
_LIMITS = (
    ("MAX_ARGUMENTS_BYTES", DEFAULT_MAX_ARGUMENTS_BYTES, JSONB_MAX_BYTES, "bytes", _JSONB),
    ("MAX_RESULT_BYTES", DEFAULT_MAX_RESULT_BYTES, JSONB_MAX_BYTES, "bytes", _JSONB),
    ("MAX_NESTING_DEPTH", DEFAULT_MAX_NESTING_DEPTH, NESTING_DEPTH_CEILING, "levels", _DEPTH),
)


@dataclass(frozen=True)
class BackendOptions:
    database: str = DEFAULT_DATABASE
    namespace: str = DEFAULT_NAMESPACE
    max_arguments_bytes: int = DEFAULT_MAX_ARGUMENTS_BYTES
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    max_nesting_depth: int = DEFAULT_MAX_NESTING_DEPTH
    log_tail_bytes: int = DEFAULT_LOG_TAIL_BYTES


def option_errors(alias: str, options: Any) -> list[str]:
    """Every problem with TASKS[alias]["OPTIONS"], each naming the field, the value and the fix."""
    where = f"TASKS[{alias!r}]['OPTIONS']"
    if not isinstance(options, Mapping):
        return [f"{where} is {options!r}; set it to a dict such as {{'DATABASE': 'default'}}."]
    errors = []
    for key in options:
        if key not in KNOWN_OPTIONS:
            errors.append(f"{where} has unknown key {key!r}; the known keys are {', '.join(KNOWN_OPTIONS)}.")
    database = options.get("DATABASE", DEFAULT_DATABASE)
    if not isinstance(database, str) or database not in settings.DATABASES:
        errors.append(
            f"{where}['DATABASE'] is {database!r}; set it to one of the aliases in DATABASES: "
            f"{', '.join(sorted(settings.DATABASES))}."
        )
    namespace = options.get("NAMESPACE", DEFAULT_NAMESPACE)
    if not isinstance(namespace, str) or not _DNS_LABEL_RE.match(namespace):
        errors.append(
            f"{where}['NAMESPACE'] is {namespace!r}; set it to a Kubernetes namespace name "
            "(lower-case letters, digits and '-', at most 63 characters)."
        )
    for key, default, ceiling, unit, why in _LIMITS:
        value = options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ceiling:
            errors.append(
                f"{where}[{key!r}] is {value!r}; set it to a whole number of {unit} from 1 to {ceiling} "
                f"({why}), or leave it out for the default, {default}."
            )
    log_tail = options.get("LOG_TAIL_BYTES", DEFAULT_LOG_TAIL_BYTES)
    if isinstance(log_tail, bool) or not isinstance(log_tail, int) or not 0 <= log_tail <= LOG_TAIL_CEILING:
        errors.append(
            f"{where}['LOG_TAIL_BYTES'] is {log_tail!r}; set it to a whole number of bytes from 0 (store no "
            f"output) to {LOG_TAIL_CEILING} (the tail is read with the row), or leave it out for the "
            f"default, {DEFAULT_LOG_TAIL_BYTES}."
        )
    return errors


def parse_options(alias: str, options: Any) -> BackendOptions:
    """TASKS[alias]["OPTIONS"] as BackendOptions; ImproperlyConfigured says what to set."""
    errors = option_errors(alias, options)
    if errors:
        raise ImproperlyConfigured(" ".join(errors))
    return BackendOptions(
        database=options.get("DATABASE", DEFAULT_DATABASE),
        namespace=options.get("NAMESPACE", DEFAULT_NAMESPACE),
        max_arguments_bytes=options.get("MAX_ARGUMENTS_BYTES", DEFAULT_MAX_ARGUMENTS_BYTES),
        max_result_bytes=options.get("MAX_RESULT_BYTES", DEFAULT_MAX_RESULT_BYTES),
        max_nesting_depth=options.get("MAX_NESTING_DEPTH", DEFAULT_MAX_NESTING_DEPTH),
        log_tail_bytes=options.get("LOG_TAIL_BYTES", DEFAULT_LOG_TAIL_BYTES),
    )


def backend_settings(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> Mapping[str, Any]:
    tasks = getattr(settings, "TASKS", {})
    if alias not in tasks:
        raise ImproperlyConfigured(
            f"TASKS has no backend {alias!r}; add TASKS[{alias!r}] = {{'BACKEND': {BACKEND_PATH!r}, ...}}."
        )
    params: Mapping[str, Any] = tasks[alias]
    return params


def get_options(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> BackendOptions:
    return parse_options(alias, backend_settings(alias).get("OPTIONS", {}))


def log_tail_bytes(alias: str) -> int:
    """How much output to store for a task of backend ``alias`` (OPTIONS["LOG_TAIL_BYTES"]); the default if
    the alias is not configured here (a runner or operator must still store the outcome)."""
    try:
        return get_options(alias).log_tail_bytes
    except ImproperlyConfigured:
        return DEFAULT_LOG_TAIL_BYTES


def kubernetes_aliases() -> list[str]:
    """The TASKS aliases that use KubernetesBackend (or a subclass named in BACKEND)."""
    from django.utils.module_loading import import_string

    from .backend import KubernetesBackend

    aliases = []
    for alias, params in getattr(settings, "TASKS", {}).items():
        try:
            backend_cls = import_string(params.get("BACKEND", ""))
        except ImportError:
            continue
        if isinstance(backend_cls, type) and issubclass(backend_cls, KubernetesBackend):
            aliases.append(alias)
    return aliases


def task_databases() -> list[str]:
    """Database aliases holding task rows, in TASKS order, without duplicates."""
    databases: list[str] = []
    for alias in kubernetes_aliases():
        database = get_options(alias).database
        if database not in databases:
            databases.append(database)
    if not databases:
        raise ImproperlyConfigured(f"No TASKS backend uses {BACKEND_PATH}; configure one in settings.TASKS.")
    return databases
