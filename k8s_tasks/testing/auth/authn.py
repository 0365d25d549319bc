"""Authentication: who sent a request, from its ``Authorization: Bearer`` header.

The kubeconfig the cluster writes holds a static token for ``kubernetes-admin`` in ``system:masters``
(cluster-admin, unrestricted, as the admin kubeconfig of kubeadm or kind). ServiceAccount tokens (JWTs the
cluster signed, from ``kubectl create token`` or a pod's projected token) authenticate as
``system:serviceaccount:<ns>:<name>``. A request without a token is ``system:anonymous`` (anonymous auth is
on, as kube-apiserver's default); a token nobody recognises is 401 Unauthorized.
"""

from collections.abc import Callable

from ..errors import Unauthorized
from .users import ADMIN, ANONYMOUS_USER, UserInfo

TokenVerifier = Callable[[str], UserInfo | None]


class Authenticator:
    def __init__(self, admin_token: str, verify: TokenVerifier | None = None) -> None:
        self.admin_header = f"Bearer {admin_token}"
        self.static: dict[str, UserInfo] = {admin_token: ADMIN}
        self.verify = verify

    def authenticate(self, header: str | None) -> UserInfo:
        if header == self.admin_header:  # the hot path: every request of the admin kubeconfig
            return ADMIN
        if not header:
            return ANONYMOUS_USER
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Unauthorized")
        user = self.static.get(token)
        if user is None and self.verify is not None:
            user = self.verify(token)
        if user is None:
            raise Unauthorized("Unauthorized")
        return user
