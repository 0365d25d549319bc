"""Who a write is by, for managedFields: the ``fieldManager`` query parameter, else the product part of
the User-Agent (managerOrUserAgent), and the patch options kube-apiserver checks (ValidatePatchOptions)."""

from aiohttp import web

from ..apivalidation import field
from ..errors import Invalid
from ..ssa import APPLY, UPDATE, Manager
from .targets import Target

MAX_LENGTH = 128


def manager_name(request: web.Request) -> str:
    given = request.query.get("fieldManager", "")
    if given:
        return given
    return request.headers.get("User-Agent", "").split("/")[0][:MAX_LENGTH]


def writer(request: web.Request, t: Target, operation: str = UPDATE) -> Manager:
    return Manager(manager_name(request), operation, t.rt.api_version, t.sub or "")


def check_patch_options(request: web.Request, apply: bool) -> None:
    """422 PatchOptions.meta.k8s.io "" is invalid, as ValidatePatchOptions words it."""
    errors = []
    if not apply and "force" in request.query:
        errors.append(field.forbidden("force", "may not be specified for non-apply patch"))
    if apply and not request.query.get("fieldManager"):
        errors.append(field.required("fieldManager", "is required for apply patch"))
    given = request.query.get("fieldManager", "")
    if len(given) > MAX_LENGTH:
        errors.append(field.too_long("fieldManager", MAX_LENGTH))
    if errors:
        raise _patch_options_invalid(errors)


def _patch_options_invalid(errors: list[field.FieldError]) -> Invalid:
    return field.to_invalid("PatchOptions", "meta.k8s.io", "", errors)


__all__ = ["APPLY", "UPDATE", "check_patch_options", "manager_name", "writer"]
