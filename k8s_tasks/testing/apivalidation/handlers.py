"""Probes and lifecycle handlers as core validation checks them (validateHandler, validateProbe and the
liveness, readiness and startup rules)."""

from typing import Any

from .field import FieldError, forbidden, invalid, not_supported, required
from .names import is_valid_port_name, is_valid_port_num


def handler(handler: dict[str, Any], path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    count = 0
    for key in ("exec", "httpGet", "tcpSocket", "grpc", "sleep"):
        action = handler.get(key)
        if not isinstance(action, dict):
            continue
        if count:
            errors.append(forbidden(f"{path}.{key}", "may not specify more than 1 handler type"))
            continue
        count += 1
        at = f"{path}.{key}"
        if key == "exec" and not action.get("command"):
            errors.append(required(f"{at}.command"))
        if key == "httpGet":
            if not action.get("path"):
                errors.append(required(f"{at}.path"))
            scheme = action.get("scheme") or ""
            if scheme not in ("HTTP", "HTTPS"):
                errors.append(not_supported(f"{at}.scheme", scheme, ("HTTP", "HTTPS")))
        if key in ("httpGet", "tcpSocket", "grpc"):
            port = action.get("port")
            if isinstance(port, int):
                errors += [invalid(f"{at}.port", port, m) for m in is_valid_port_num(port)]
            elif isinstance(port, str):
                errors += [invalid(f"{at}.port", port, m) for m in is_valid_port_name(port)]
    if count == 0:
        errors.append(required(path, "must specify a handler type"))
    return errors


def probe(value: Any, path: str, kind: str) -> list[FieldError]:
    if not isinstance(value, dict):
        return []
    errors = handler(value, path)
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        number = value.get(key)
        if isinstance(number, int) and number < 0:
            errors.append(invalid(f"{path}.{key}", number, "must be greater than or equal to 0"))
    grace = value.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace <= 0:
        errors.append(invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"))
    if kind in ("liveness", "startup") and value.get("successThreshold", 1) != 1:
        errors.append(invalid(f"{path}.successThreshold", value.get("successThreshold"), "must be 1"))
    if kind == "readiness" and grace is not None:
        errors.append(
            invalid(f"{path}.terminationGracePeriodSeconds", grace, "must not be set for readinessProbes")
        )
    return errors
