"""The container securityContext as core validation checks it (ValidateSecurityContext, the seccomp
profile), and the relative paths it and volumes take."""

from typing import Any

from .field import FieldError, GoText, invalid, not_supported, required
from .names import is_valid_id


def local_descending_path(target: str, path: str) -> list[FieldError]:
    """validateLocalDescendingPath: relative, without a '..' element."""
    errors = [invalid(path, target, "must be a relative path")] if target.startswith("/") else []
    if ".." in target.replace("\\", "/").split("/"):
        errors.append(invalid(path, target, "must not contain '..'"))
    return errors


def security_context(sc: Any, path: str, host_users: bool) -> list[FieldError]:
    """ValidateSecurityContext (privileged containers are allowed, as --allow-privileged=true)."""
    if not isinstance(sc, dict):
        return []
    errors: list[FieldError] = []
    for key in ("runAsUser", "runAsGroup"):
        if isinstance(sc.get(key), int):
            errors += [invalid(f"{path}.{key}", sc[key], m) for m in is_valid_id(sc[key])]
    proc_mount = sc.get("procMount")
    if proc_mount is not None:
        if proc_mount not in ("Default", "Unmasked"):
            errors.append(not_supported(f"{path}.procMount", proc_mount, ("Default", "Unmasked")))
        if host_users and proc_mount == "Unmasked":
            errors.append(
                invalid(f"{path}.procMount", proc_mount, "`hostUsers` must be false to use `Unmasked`")
            )
    errors += seccomp_profile(sc.get("seccompProfile"), f"{path}.seccompProfile")
    if sc.get("allowPrivilegeEscalation") is False:
        if sc.get("privileged") is True:
            detail = "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
            errors.append(invalid(path, GoText("&core.SecurityContext{...}"), detail))
        if "CAP_SYS_ADMIN" in ((sc.get("capabilities") or {}).get("add") or []):
            detail = "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"
            errors.append(invalid(path, GoText("&core.SecurityContext{...}"), detail))
    return errors


def seccomp_profile(profile: Any, path: str) -> list[FieldError]:
    if not isinstance(profile, dict):
        return []
    kind = profile.get("type") or ""
    if not kind:
        return [required(f"{path}.type", "type is required when seccompProfile is set")]
    if kind not in ("Localhost", "RuntimeDefault", "Unconfined"):
        return [not_supported(f"{path}.type", kind, ("Localhost", "RuntimeDefault", "Unconfined"))]
    local = profile.get("localhostProfile")
    if kind == "Localhost" and local is None:
        return [required(f"{path}.localhostProfile", "must be set when seccomp type is Localhost")]
    if kind == "Localhost":
        return local_descending_path(str(local), f"{path}.localhostProfile")
    if local is not None:
        return [
            invalid(
                f"{path}.localhostProfile",
                GoText("&core.SeccompProfile{...}"),
                "can only be set when seccomp type is Localhost",
            )
        ]
    return []
