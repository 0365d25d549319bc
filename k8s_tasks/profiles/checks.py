"""Rules that span several fields of a (type-valid) TaskQueue spec. Each returns FieldProblems; none raise."""

import re
from collections.abc import Iterator

from .errors import MISSING, FieldProblem
from .podtemplate import check_pod_template, reserved_keys
from .quantity import parse_quantity
from .sealed import check_sealed
from .spec import QueueSpec

#: Environment variables the Job builder sets itself, or may: a profile may not define them, neither in
#: spec.env nor in any container of its podTemplate. Every K8S_TASKS_* name is k8s-tasks' own.
RESERVED_ENV = frozenset(
    {
        "POD_NAME",
        "POD_NAMESPACE",
        "DJANGO_SETTINGS_MODULE",
        "K8S_TASKS_ATTEMPT",
        "K8S_TASKS_TASK_ID",
        "K8S_TASKS_QUEUE",
    }
)
RESERVED_ENV_PREFIX = "K8S_TASKS_"
# A name word (between underscores) that marks a credential; ..._FILE / ..._PATH name a file, not a secret.
_SECRET_NAME = re.compile(
    r"(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)(_(?!FILE$|PATH$)|$)",
    re.IGNORECASE,
)
_CREDENTIALS_IN_URL = re.compile(r"://[^/@\s:]+:[^/@\s]+@")


def plain_secret(name: str, value: object) -> bool:
    """True if an env var with this name and plain value looks like a credential in the clear."""
    if not value:
        return False
    return bool(_SECRET_NAME.search(name) or _CREDENTIALS_IN_URL.search(str(value)))


_SECRET_HINT = "credentials come from Secrets: use valueFrom.secretKeyRef {name, key} or envFrom.secretRef"


def is_reserved_env(name: object) -> bool:
    """True for an environment variable k8s-tasks sets itself (see RESERVED_ENV)."""
    return isinstance(name, str) and (name in RESERVED_ENV or name.startswith(RESERVED_ENV_PREFIX))


def is_reserved_prefix(prefix: object) -> bool:
    """True for an envFrom prefix that can make a reserved name out of a Secret's or ConfigMap's keys."""
    if not isinstance(prefix, str) or not prefix:
        return False
    return (
        prefix.startswith(RESERVED_ENV_PREFIX)
        or RESERVED_ENV_PREFIX.startswith(prefix)
        or any(name.startswith(prefix) for name in RESERVED_ENV)
    )


PREFIX_HINT = "use a prefix of your own (e.g. APP_): K8S_TASKS_* and the names k8s-tasks sets are reserved"


def plain_secret_problem(path: str, name: str, value: object) -> FieldProblem | None:
    """The problem with env var ``name`` at ``path`` if its plain ``value`` is a credential (never shown)."""
    if not value:
        return None
    if _SECRET_NAME.search(name):
        return FieldProblem(f"{path}.value", "<redacted>", f"is a plain value for {name!r}", _SECRET_HINT)
    if _CREDENTIALS_IN_URL.search(str(value)):
        return FieldProblem(f"{path}.value", "<redacted>", "contains a password in a URL", _SECRET_HINT)
    return None


def _is_extended(name: str) -> bool:
    return "/" in name and not name.startswith("kubernetes.io/")


def check_resources(spec: QueueSpec) -> Iterator[FieldProblem]:
    requests, limits = spec.resources.requests, spec.resources.limits
    for section, values in (("requests", requests), ("limits", limits)):
        for name, raw in values.items():
            path = (
                f"spec.resources.{section}[{name!r}]" if "/" in name else f"spec.resources.{section}.{name}"
            )
            amount = parse_quantity(raw)
            if amount < 0:
                yield FieldProblem(path, raw, "is negative", "resources are zero or more")
            elif _is_extended(name) and amount != amount.to_integral_value():
                yield FieldProblem(
                    path, raw, "is not a whole number", "extended resources such as GPUs are whole"
                )
    for name, raw in requests.items():
        path = f"spec.resources.requests[{name!r}]" if "/" in name else f"spec.resources.requests.{name}"
        if _is_extended(name):
            if name not in limits:
                yield FieldProblem(
                    path,
                    raw,
                    "is set without a limit",
                    f"set spec.resources.limits[{name!r}] to the same value",
                )
            elif parse_quantity(limits[name]) != parse_quantity(raw):
                yield FieldProblem(
                    path,
                    raw,
                    f"differs from the limit {limits[name]!r}",
                    "extended resources "
                    "cannot be overcommitted: make requests equal limits, or set only limits",
                )
        elif name in limits and parse_quantity(raw) > parse_quantity(limits[name]):
            yield FieldProblem(
                path, raw, f"is more than the limit {limits[name]!r}", "requests must be <= limits"
            )


def check_env(spec: QueueSpec) -> Iterator[FieldProblem]:
    seen: set[str] = set()
    for i, var in enumerate(spec.env):
        path = f"spec.env[{i}]"
        if is_reserved_env(var.name):
            yield FieldProblem(f"{path}.name", var.name, "is set by k8s-tasks itself", "remove it from env")
        if var.name in seen:
            yield FieldProblem(f"{path}.name", var.name, "is defined twice", "keep one definition")
        seen.add(var.name)
        if var.value is not None and var.value_from is not None:
            yield FieldProblem(path, var.name, "has both value and valueFrom", "keep one of them")
        secret = plain_secret_problem(path, var.name, var.value)
        if secret is not None:
            yield secret
        if var.value_from is not None:
            sources = [k for k, v in var.value_from if v is not None]
            if len(sources) != 1:
                yield FieldProblem(
                    f"{path}.valueFrom",
                    sources,
                    "must name exactly one source",
                    "use one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef",
                )
    for i, source in enumerate(spec.env_from):
        if is_reserved_prefix(source.prefix):
            yield FieldProblem(
                f"spec.envFrom[{i}].prefix",
                source.prefix,
                "can define names k8s-tasks sets itself",
                PREFIX_HINT,
            )
        if (source.secret_ref is None) == (source.config_map_ref is None):
            yield FieldProblem(
                f"spec.envFrom[{i}]",
                MISSING,
                "must name exactly one of secretRef or configMapRef",
                "e.g. secretRef: {name: db-credentials}",
            )


def check_tolerations(spec: QueueSpec) -> Iterator[FieldProblem]:
    for i, tol in enumerate(spec.tolerations):
        path = f"spec.tolerations[{i}]"
        if tol.operator == "Exists" and tol.value:
            yield FieldProblem(
                f"{path}.value", tol.value, "must be empty when operator is Exists", "remove it"
            )
        if tol.key is None and tol.operator != "Exists":
            yield FieldProblem(
                f"{path}.operator", tol.operator, "must be Exists when key is empty", "set a key"
            )
        if tol.toleration_seconds is not None and tol.effect != "NoExecute":
            yield FieldProblem(
                f"{path}.tolerationSeconds",
                tol.toleration_seconds,
                "only applies to effect NoExecute",
                "set effect: NoExecute or remove tolerationSeconds",
            )


def check_volumes(spec: QueueSpec) -> Iterator[FieldProblem]:
    names: set[str] = {"tmp"}
    paths: set[str] = {"/tmp"}
    for i, vol in enumerate(spec.volumes):
        path = f"spec.volumes[{i}]"
        if vol.name in names:
            hint = (
                "'tmp' is the built-in /tmp volume" if vol.name == "tmp" else "give each volume its own name"
            )
            yield FieldProblem(f"{path}.name", vol.name, "is already used", hint)
        mount = vol.mount_path.rstrip("/") or "/"
        if mount in paths:
            yield FieldProblem(
                f"{path}.mountPath",
                vol.mount_path,
                "is already mounted",
                "the pod always has a writable /tmp; pick another path such as /scratch",
            )
        names.add(vol.name)
        paths.add(mount)


def check_metadata(spec: QueueSpec) -> Iterator[FieldProblem]:
    yield from reserved_keys("spec.labels", spec.labels, "label")
    yield from reserved_keys("spec.annotations", spec.annotations, "annotation")
    yield from check_pod_template({str(k): v for k, v in (spec.pod_template or {}).items()})


def check_spec(spec: QueueSpec) -> list[FieldProblem]:
    checks = (check_resources, check_env, check_tolerations, check_volumes, check_metadata, check_sealed)
    return [problem for check in checks for problem in check(spec)]
