"""Kubernetes API errors, each rendered as the ``Status`` object the real API server sends."""

from typing import Any


class ApiError(Exception):
    """A failed API call; ``to_status()`` is the body a real kube-apiserver would send."""

    status: int = 500
    reason: str = "InternalError"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_status(self) -> dict[str, Any]:
        """metav1.Status with its fields in the order Go writes them: ..., reason, details, code."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:  # every StatusDetails field is omitempty
            body["details"] = {k: v for k, v in self.details.items() if v not in ("", None, [], 0)}
        body["code"] = self.status
        return body


class BadRequest(ApiError):
    status, reason = 400, "BadRequest"


class Unauthorized(ApiError):
    status, reason = 401, "Unauthorized"


class Forbidden(ApiError):
    status, reason = 403, "Forbidden"


class NotFound(ApiError):
    status, reason = 404, "NotFound"


class MethodNotAllowed(ApiError):
    status, reason = 405, "MethodNotAllowed"


class AlreadyExists(ApiError):
    status, reason = 409, "AlreadyExists"


class Conflict(ApiError):
    status, reason = 409, "Conflict"


class Gone(ApiError):
    status, reason = 410, "Expired"


class Invalid(ApiError):
    status, reason = 422, "Invalid"


class TooManyRequests(ApiError):
    status, reason = 429, "TooManyRequests"


class InternalError(ApiError):
    status, reason = 500, "InternalError"


def not_found(plural: str, group: str, name: str) -> NotFound:
    """The 404 of a missing object, worded as kube-apiserver words it: ``pods "x" not found``."""
    resource = f"{plural}.{group}" if group else plural
    return NotFound(f'{resource} "{name}" not found', details={"name": name, "group": group, "kind": plural})


def invalid(kind: str, group: str, name: str, causes: list[tuple[str, str, str]]) -> Invalid:
    """A 422 listing each (field, reason, message) cause, ("spec.template", "FieldValueRequired", ..)."""
    text = ", ".join(f"{field}: {message}" if field else message for field, _, message in causes)
    return Invalid(
        f'{kind}.{group} "{name}" is invalid: {text}' if group else f'{kind} "{name}" is invalid: {text}',
        details={
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [{"reason": r, "message": m, "field": f} for f, r, m in causes],
        },
    )


class NotAcceptable(ApiError):
    status, reason = 406, "NotAcceptable"


class UnsupportedMediaType(ApiError):
    status, reason = 415, "UnsupportedMediaType"


def conflict(plural: str, group: str, name: str) -> Conflict:
    resource = f"{plural}.{group}" if group else plural
    return Conflict(
        f'Operation cannot be fulfilled on {resource} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        details={"name": name, "group": group, "kind": plural},
    )
