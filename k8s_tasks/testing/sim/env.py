"""A container's environment as the kubelet builds it: env, valueFrom, envFrom and $(VAR) expansion."""

import base64
import re
from collections.abc import Callable
from decimal import ROUND_CEILING
from typing import Any

from .quantity import parse_quantity

Lookup = Callable[[str, str], dict[str, Any] | None]  # (kind "Secret"|"ConfigMap", name) -> object
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class ConfigError(Exception):
    """The container cannot be created yet (CreateContainerConfigError), e.g. a missing Secret."""


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes $(VAR) expansion: defined variables are replaced, $$ escapes, unknown ones stay."""

    def sub(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))

    return _REF.sub(sub, text)


def field_value(pod: dict[str, Any], path: str) -> str:
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    match = re.fullmatch(r"metadata\.(labels|annotations)\['([^']+)'\]", path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    values = {
        "metadata.name": meta.get("name"),
        "metadata.namespace": meta.get("namespace"),
        "metadata.uid": meta.get("uid"),
        "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP"),
        "status.hostIP": status.get("hostIP"),
    }
    if path not in values:
        raise ConfigError(f"unsupported fieldRef fieldPath {path!r}")
    return str(values[path] or "")


def resource_value(container: dict[str, Any], ref: dict[str, Any]) -> str:
    kind, _, name = str(ref.get("resource", "")).partition(".")
    resources = (container.get("resources") or {}).get(kind) or {}
    if name not in resources:
        return "0"
    divisor = parse_quantity(ref.get("divisor") or "1")
    value = parse_quantity(resources[name]) / divisor
    return str(value.to_integral_value(rounding=ROUND_CEILING))


def _source_data(lookup: Lookup, kind: str, name: str, optional: bool, namespace: str) -> dict[str, str]:
    obj = lookup(kind, name)
    if obj is None:
        if optional:
            return {}
        raise ConfigError(f'{kind.lower()} "{name}" not found')
    data = {k: str(v) for k, v in (obj.get("data") or {}).items()}
    if kind == "Secret":
        data = {k: base64.b64decode(v).decode("utf-8", "replace") for k, v in data.items()}
        data.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
    return data


def _key_ref(lookup: Lookup, kind: str, ref: dict[str, Any], namespace: str) -> str | None:
    data = _source_data(lookup, kind, ref.get("name", ""), bool(ref.get("optional")), namespace)
    key = ref.get("key", "")
    if key not in data:
        if ref.get("optional"):
            return None
        raise ConfigError(f"couldn't find key {key} in {kind} {namespace}/{ref.get('name', '')}")
    return data[key]


def container_env(pod: dict[str, Any], container: dict[str, Any], lookup: Lookup) -> dict[str, str]:
    """The variables the pod spec gives this container (envFrom first, then env, in order)."""
    namespace = pod["metadata"].get("namespace") or "default"
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix") or ""
        for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = source.get(field)
            if ref is not None:
                data = _source_data(lookup, kind, ref.get("name", ""), bool(ref.get("optional")), namespace)
                env.update({f"{prefix}{k}": v for k, v in data.items()})
    for var in container.get("env") or []:
        name, value_from = var["name"], var.get("valueFrom")
        if value_from is None:
            env[name] = expand(str(var.get("value", "")), env)
        elif "fieldRef" in value_from:
            env[name] = field_value(pod, value_from["fieldRef"].get("fieldPath", ""))
        elif "resourceFieldRef" in value_from:
            env[name] = resource_value(container, value_from["resourceFieldRef"])
        else:
            for kind, field in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                if field in value_from:
                    found = _key_ref(lookup, kind, value_from[field], namespace)
                    if found is not None:
                        env[name] = found
    return env


def memory_limit(container: dict[str, Any]) -> int | None:
    """The container's memory limit in bytes, if any."""
    limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    return int(parse_quantity(limit).to_integral_value(rounding=ROUND_CEILING)) if limit else None
