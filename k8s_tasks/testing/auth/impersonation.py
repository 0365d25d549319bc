"""Impersonation (``kubectl --as=USER --as-group=GROUP``): the Impersonate-User, -Group and -Uid headers,
each authorized as upstream's impersonation filter does (verb ``impersonate`` on users, groups or uids, or
on the ServiceAccount itself; system:masters may impersonate anyone), and the user the request then runs
as: the groups asked for (a ServiceAccount's own groups when none are), plus system:authenticated."""

from collections.abc import Callable

from aiohttp import web

from ..server.requestinfo import RequestInfo
from .users import (
    ANONYMOUS,
    AUTHENTICATED,
    SERVICE_ACCOUNTS,
    UNAUTHENTICATED,
    UserInfo,
    split_service_account,
)

Check = Callable[[UserInfo, RequestInfo], tuple[bool, str]]


def requested(request: web.Request) -> bool:
    return "Impersonate-User" in request.headers or "Impersonate-Group" in request.headers


def _attributes(resource: str, name: str, namespace: str = "") -> RequestInfo:
    return RequestInfo(True, "", "impersonate", "", "v1", namespace, resource, "", name)


def impersonate(
    request: web.Request, user: UserInfo, check: Check | None
) -> tuple[UserInfo, RequestInfo | None]:
    """(the impersonated user, None), or (the real user, the attributes of the denied impersonation)."""
    name = request.headers.get("Impersonate-User", "")
    groups = tuple(request.headers.getall("Impersonate-Group", []))
    uid = request.headers.get("Impersonate-Uid", "")
    wanted: list[RequestInfo] = []
    account = split_service_account(name)
    if account is not None:
        wanted.append(_attributes("serviceaccounts", account[1], account[0]))
    elif name:
        wanted.append(_attributes("users", name))
    wanted.extend(_attributes("groups", group) for group in groups)
    if uid:
        wanted.append(_attributes("uids", uid))
    if check is not None and not user.is_master:
        for attributes in wanted:
            if not check(user, attributes)[0]:
                return user, attributes
    if account is not None and not groups:
        groups = (SERVICE_ACCOUNTS, f"{SERVICE_ACCOUNTS}:{account[0]}")
    extra = AUTHENTICATED if name != ANONYMOUS else UNAUTHENTICATED
    if extra not in groups:
        groups = (*groups, extra)
    return UserInfo(name, groups, uid), None
