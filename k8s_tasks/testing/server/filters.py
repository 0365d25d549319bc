"""The request filters kube-apiserver runs before a handler, in its order: authentication, the request's
attributes (RequestInfo), authorization; and the audit log, which sees every request and its response code.

The user and the RequestInfo are left on the request (``USER_KEY``, ``INFO_KEY``) for handlers that need
them (SelfSubjectReview, SelfSubjectAccessReview, TokenRequest).
"""

from collections.abc import Awaitable, Callable

from aiohttp import web

from .. import warnings
from ..audit import AuditEntry, AuditLog
from ..auth import impersonation
from ..auth.authn import Authenticator
from ..auth.users import UserInfo
from ..errors import ApiError, Forbidden
from .http import error_response
from .requestinfo import RequestInfo, request_info

USER_KEY = web.RequestKey("user", UserInfo)
INFO_KEY = web.RequestKey("request_info", RequestInfo)
_AUDITED = web.RequestKey("audited", bool)

Authorizer = Callable[[UserInfo, RequestInfo], tuple[bool, str]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NO_USER = UserInfo("")


def forbidden(user: UserInfo, info: RequestInfo, reason: str) -> Forbidden:
    """The 403 of a denied request, worded as responsewriters.Forbidden and apierrors.NewForbidden word
    it: ``jobs.batch is forbidden: User "..." cannot create resource "jobs" in API group "batch" in the
    namespace "tasks"`` (``: <reason>`` when the authorizer gave one)."""
    if not info.resource_request:
        text = f'User "{user.name}" cannot {info.verb} path "{info.path}"'
    else:
        resource = f"{info.resource}/{info.subresource}" if info.subresource else info.resource
        text = f'User "{user.name}" cannot {info.verb} resource "{resource}" in API group "{info.api_group}"'
        text += f' in the namespace "{info.namespace}"' if info.namespace else " at the cluster scope"
    if reason:
        text = f"{text}: {reason}"
    if not info.resource_request:
        return Forbidden(f"forbidden: {text}", details={})
    qualified = f"{info.resource}.{info.api_group}" if info.api_group else info.resource
    subject = f'{qualified} "{info.name}"' if info.name else qualified
    return Forbidden(
        f"{subject} is forbidden: {text}",
        details={"name": info.name, "group": info.api_group, "kind": info.resource},
    )


def _entry(user: UserInfo, info: RequestInfo, code: int) -> AuditEntry:
    return AuditEntry(
        user.name,
        user.groups,
        info.verb,
        info.api_group,
        info.resource,
        info.subresource,
        info.namespace,
        info.name,
        code,
        info.path,
        info.resource_request,
    )


def install(
    app: web.Application, authenticator: Authenticator, authorize: Authorizer | None, audit: AuditLog
) -> None:
    """Add the filters to ``app`` (before any route runs) and the audit hook (as each response starts)."""

    @web.middleware
    async def filters(request: web.Request, handler: Handler) -> web.StreamResponse:
        info = request_info(request.path, request.method, request.query)
        request[INFO_KEY] = info
        try:
            user = authenticator.authenticate(request.headers.get("Authorization"))
        except ApiError as error:
            request[USER_KEY] = NO_USER
            return error_response(error)
        if impersonation.requested(request):
            user, denied = impersonation.impersonate(request, user, authorize)
            if denied is not None:
                request[USER_KEY] = user
                return error_response(forbidden(user, denied, ""))
        request[USER_KEY] = user
        if authorize is not None and not user.is_master:
            allowed, reason = authorize(user, info)
            if not allowed:
                return error_response(forbidden(user, info, reason))
        collected = warnings.start()
        response = await handler(request)
        if collected and not response.prepared:
            for text in collected:
                response.headers.add("Warning", warnings.header(text))
        return response

    async def record(request: web.Request, response: web.StreamResponse) -> None:
        info = request.get(INFO_KEY)
        if info is None or request.get(_AUDITED):
            return
        request[_AUDITED] = True
        audit.record(_entry(request.get(USER_KEY, NO_USER), info, response.status))

    app.middlewares.append(filters)
    app.on_response_prepare.append(record)
