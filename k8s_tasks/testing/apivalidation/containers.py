"""Containers as core validation checks them (validateContainerCommon, validateContainers,
validateInitContainers): names, images, ports, env and envFrom, volume mounts, pull policy, resources,
probes and lifecycle handlers, and the container securityContext."""

from typing import Any

from .field import FieldError, duplicate, forbidden, invalid, not_found, not_supported, required
from .handlers import handler, probe
from .names import (
    is_config_map_key,
    is_dns1123_label,
    is_qualified_name,
    is_valid_port_name,
    is_valid_port_num,
    name_is_dns_subdomain,
)
from .resources import requirements
from .security import local_descending_path, security_context

PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_ENV_FIELDS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
# the field labels pods.ConvertDownwardAPIFieldLabel accepts for v1
_DOWNWARD_LABELS = frozenset(
    (*_ENV_FIELDS, "metadata.annotations", "metadata.labels", "spec.restartPolicy", "spec.schedulerName")
) | {"status.phase"}
_RESOURCE_FIELDS = (
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
)
_RELAXED_ENV = (
    "a valid environment variable name must consist only of printable ASCII characters other than '='"
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def env_name(name: str, path: str) -> list[FieldError]:
    """IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is on by default)."""
    if any(ord(c) > 126 or ord(c) < 32 or c == "=" for c in name):
        return [invalid(path, name, _RELAXED_ENV)]
    return []


def _split_subscript(text: str) -> tuple[str, str] | None:
    if text.endswith("']") and "['" in text:
        head, _, rest = text.partition("['")
        return head, rest[:-2]
    return None


def object_field_selector(ref: dict[str, Any], expressions: tuple[str, ...], path: str) -> list[FieldError]:
    if not ref.get("apiVersion"):
        return [required(f"{path}.apiVersion")]
    field_path = str(ref.get("fieldPath") or "")
    if not field_path:
        return [required(f"{path}.fieldPath")]
    subscripted = _split_subscript(field_path)
    base = subscripted[0] if subscripted else field_path
    if base not in _DOWNWARD_LABELS:
        detail = f"error converting fieldPath: field label not supported: {field_path}"
        return [invalid(f"{path}.fieldPath", field_path, detail)]
    if subscripted:
        if base == "metadata.annotations":
            return [
                invalid(path, subscripted[1].lower(), m) for m in is_qualified_name(subscripted[1].lower())
            ]
        if base == "metadata.labels":
            return [invalid(path, subscripted[1], m) for m in is_qualified_name(subscripted[1])]
        return [invalid(path, base, "does not support subscript")]
    if base not in expressions:
        return [not_supported(f"{path}.fieldPath", base, sorted(expressions))]
    return []


def resource_field_selector(ref: dict[str, Any], path: str, volume: bool) -> list[FieldError]:
    resource = str(ref.get("resource") or "")
    if volume and not ref.get("containerName"):
        return [required(f"{path}.containerName")]
    if not resource:
        return [required(f"{path}.resource")]
    if resource not in _RESOURCE_FIELDS and not resource.startswith(
        ("requests.hugepages-", "limits.hugepages-")
    ):
        return [not_supported(f"{path}.resource", resource, _RESOURCE_FIELDS)]
    return []


def _key_selector(ref: dict[str, Any], path: str) -> list[FieldError]:
    name = str(ref.get("name") or "")
    errors = [invalid(f"{path}.name", name, m) for m in name_is_dns_subdomain(name, False)]
    key = str(ref.get("key") or "")
    if not key:
        errors.append(required(f"{path}.key"))
    else:
        errors += [invalid(f"{path}.key", key, m) for m in is_config_map_key(key)]
    return errors


def env(variables: Any, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, var in enumerate(variables or []):
        var, at = _dict(var), f"{path}[{i}]"
        name = str(var.get("name") or "")
        errors += [required(f"{at}.name")] if not name else env_name(name, f"{at}.name")
        source = var.get("valueFrom")
        if not isinstance(source, dict):
            continue
        at = f"{at}.valueFrom"
        count = 0
        for key in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"):
            ref = source.get(key)
            if not isinstance(ref, dict):
                continue
            count += 1
            if key == "fieldRef":
                errors += object_field_selector(ref, _ENV_FIELDS, f"{at}.fieldRef")
            elif key == "resourceFieldRef":
                errors += resource_field_selector(ref, f"{at}.resourceFieldRef", volume=False)
            else:
                errors += _key_selector(ref, f"{at}.{key}")
        if count == 0:
            detail = (
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
            )
            errors.append(invalid(at, "", detail))
        elif var.get("value"):
            errors.append(invalid(at, "", "may not be specified when `value` is not empty"))
        elif count > 1:
            errors.append(invalid(at, "", "may not have more than one field specified at a time"))
    return errors


def env_from(sources: Any, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, source in enumerate(sources or []):
        source, at = _dict(source), f"{path}[{i}]"
        if source.get("prefix"):
            errors += env_name(str(source["prefix"]), f"{at}.prefix")
        count = 0
        for key in ("configMapRef", "secretRef"):
            ref = source.get(key)
            if isinstance(ref, dict):
                count += 1
                name = str(ref.get("name") or "")
                if not name:
                    errors.append(required(f"{at}.{key}.name"))
                else:
                    errors += [
                        invalid(f"{at}.{key}.name", name, m) for m in name_is_dns_subdomain(name, True)
                    ]
        if count == 0:
            errors.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif count > 1:
            errors.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errors


def ports(values: Any, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(values or []):
        port, at = _dict(port), f"{path}[{i}]"
        name = str(port.get("name") or "")
        if name:
            messages = is_valid_port_name(name)
            if messages:
                errors += [invalid(f"{at}.name", name, m) for m in messages]
            elif name in names:
                errors.append(duplicate(f"{at}.name", name))
            names.add(name)
        number = port.get("containerPort") or 0
        if not number:
            errors.append(required(f"{at}.containerPort"))
        else:
            errors += [invalid(f"{at}.containerPort", number, m) for m in is_valid_port_num(int(number))]
        if port.get("hostPort"):
            errors += [
                invalid(f"{at}.hostPort", port["hostPort"], m) for m in is_valid_port_num(port["hostPort"])
            ]
        protocol = port.get("protocol") or ""
        if not protocol:
            errors.append(required(f"{at}.protocol"))
        elif protocol not in _PROTOCOLS:
            errors.append(not_supported(f"{at}.protocol", protocol, _PROTOCOLS))
    return errors


def volume_mounts(mounts: Any, volumes: dict[str, Any], path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, mount in enumerate(mounts or []):
        mount, at = _dict(mount), f"{path}[{i}]"
        name, mount_path = str(mount.get("name") or ""), str(mount.get("mountPath") or "")
        if not name:
            errors.append(required(f"{at}.name"))
        if name not in volumes:
            errors.append(not_found(f"{at}.name", name))
        if not mount_path:
            errors.append(required(f"{at}.mountPath"))
        if mount_path in seen:
            errors.append(invalid(f"{at}.mountPath", mount_path, "must be unique"))
        seen.add(mount_path)
        sub_path = str(mount.get("subPath") or "")
        if sub_path:
            errors += local_descending_path(sub_path, f"{path}.subPath")
    return errors


def common(c: dict[str, Any], volumes: dict[str, Any], path: str, host_users: bool) -> list[FieldError]:
    """validateContainerCommon."""
    errors: list[FieldError] = []
    name = str(c.get("name") or "")
    if not name:
        errors.append(required(f"{path}.name"))
    else:
        errors += [invalid(f"{path}.name", name, m) for m in is_dns1123_label(name)]
    if not c.get("image"):
        errors.append(required(f"{path}.image"))
    policy = c.get("terminationMessagePolicy") or ""
    if not policy:
        errors.append(required(f"{path}.terminationMessagePolicy"))
    elif policy not in _MESSAGE_POLICIES:
        errors.append(not_supported(f"{path}.terminationMessagePolicy", policy, _MESSAGE_POLICIES))
    errors += ports(c.get("ports"), f"{path}.ports")
    errors += env(c.get("env"), f"{path}.env")
    errors += env_from(c.get("envFrom"), f"{path}.envFrom")
    errors += volume_mounts(c.get("volumeMounts"), volumes, f"{path}.volumeMounts")
    pull = c.get("imagePullPolicy") or ""
    if not pull:
        errors.append(required(f"{path}.imagePullPolicy"))
    elif pull not in PULL_POLICIES:
        errors.append(not_supported(f"{path}.imagePullPolicy", pull, PULL_POLICIES))
    errors += requirements(c.get("resources"), f"{path}.resources")
    errors += security_context(c.get("securityContext"), f"{path}.securityContext", host_users)
    return errors


def containers(values: Any, volumes: dict[str, Any], path: str, host_users: bool) -> list[FieldError]:
    """validateContainers: at least one, unique names, probes and lifecycle."""
    if not values:
        return [required(path)]
    errors: list[FieldError] = []
    names: set[str] = set()
    for i, c in enumerate(values):
        c, at = _dict(c), f"{path}[{i}]"
        errors += common(c, volumes, at, host_users)
        name = str(c.get("name") or "")
        if name in names:
            errors.append(duplicate(f"{at}.name", name))
        names.add(name)
        lifecycle = _dict(c.get("lifecycle"))
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                errors += handler(lifecycle[hook], f"{at}.lifecycle.{hook}")
        for kind in ("liveness", "readiness", "startup"):
            errors += probe(c.get(f"{kind}Probe"), f"{at}.{kind}Probe", kind)
        if c.get("restartPolicy") is not None:
            errors.append(forbidden(f"{at}.restartPolicy", "may not be set for non-init containers"))
    return errors


def init_containers(
    values: Any, regular: Any, volumes: dict[str, Any], path: str, host_users: bool
) -> list[FieldError]:
    errors: list[FieldError] = []
    names = {str(_dict(c).get("name") or "") for c in regular or []}
    for i, c in enumerate(values or []):
        c, at = _dict(c), f"{path}[{i}]"
        errors += common(c, volumes, at, host_users)
        always = c.get("restartPolicy") == "Always"
        if c.get("restartPolicy") is not None and not always:
            errors.append(not_supported(f"{at}.restartPolicy", c["restartPolicy"], ("Always",)))
        name = str(c.get("name") or "")
        if name in names:
            errors.append(duplicate(f"{at}.name", name))
        elif name:
            names.add(name)
        for kind in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
            if c.get(kind) is not None and not always:
                errors.append(
                    forbidden(
                        f"{at}.{kind}", "may not be set for init containers without restartPolicy=Always"
                    )
                )
    return errors
