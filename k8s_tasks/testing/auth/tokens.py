"""ServiceAccount tokens: JWTs signed RS256 with the cluster's key, with kube-apiserver's claims
(pkg/serviceaccount/claims.go): ``iss``, ``sub`` (``system:serviceaccount:<ns>:<name>``), ``aud``,
``exp``/``iat``/``nbf``, ``jti`` and ``kubernetes.io`` (namespace, serviceaccount name and uid, and the pod
and node a pod's token is bound to).

A token authenticates while it is unexpired, names an API audience, and its ServiceAccount (and bound
pod) still exist with the uids it names, as upstream's validator checks.
"""

import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .pki import RsaKey
from .users import UserInfo, service_account_user

ISSUER = "https://kubernetes.default.svc.cluster.local"
API_AUDIENCES = (ISSUER,)
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
# --service-account-extend-token-expiration (on by default): a pod's token asked for 3607 s is valid a year,
# with kubernetes.io.warnafter at the 3607 s (token.WarnOnlyBoundTokenExpirationSeconds)
WARN_ONLY_SECONDS = 3607
EXTENDED_SECONDS = 365 * 24 * 3600
POD_NAME, POD_UID = "authentication.kubernetes.io/pod-name", "authentication.kubernetes.io/pod-uid"
NODE_NAME, NODE_UID = "authentication.kubernetes.io/node-name", "authentication.kubernetes.io/node-uid"
CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"

# (kind, namespace, name) -> the stored object's uid, or None if it does not exist
UidLookup = Callable[[str, str, str], str | None]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Bound:
    """What a token is bound to: a pod (and the node it runs on), or nothing."""

    pod_name: str = ""
    pod_uid: str = ""
    node_name: str = ""
    node_uid: str = ""


class TokenIssuer:
    def __init__(self, key: RsaKey, lookup: UidLookup) -> None:
        self.key, self.lookup = key, lookup
        self.kid = key.key_id()

    def mint(
        self,
        namespace: str,
        name: str,
        uid: str,
        *,
        audiences: tuple[str, ...] = API_AUDIENCES,
        expiration_seconds: int = DEFAULT_EXPIRATION_SECONDS,
        bound: Bound | None = None,
    ) -> tuple[str, int]:
        """(token, expiry as a Unix time)."""
        now = int(time.time())
        expiry = now + expiration_seconds
        private: dict[str, Any] = {"namespace": namespace}
        pod_bound = bound is not None and bool(bound.pod_name)
        if pod_bound and expiration_seconds == WARN_ONLY_SECONDS and set(audiences) <= set(API_AUDIENCES):
            expiry = now + EXTENDED_SECONDS
        if bound is not None and bound.node_name:
            private["node"] = {"name": bound.node_name, "uid": bound.node_uid}
        if bound is not None and bound.pod_name:
            private["pod"] = {"name": bound.pod_name, "uid": bound.pod_uid}
        private["serviceaccount"] = {"name": name, "uid": uid}
        if expiry - now == EXTENDED_SECONDS and pod_bound:
            private["warnafter"] = now + WARN_ONLY_SECONDS
        claims = {
            "aud": list(audiences),
            "exp": expiry,
            "iat": now,
            "iss": ISSUER,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": private,
            "nbf": now,
            "sub": f"system:serviceaccount:{namespace}:{name}",
        }
        header = {"alg": "RS256", "kid": self.kid}
        signing_input = f"{_segment(header)}.{_segment(claims)}"
        signature = self.key.sign_sha256(signing_input.encode())
        return f"{signing_input}.{_b64(signature)}", expiry

    def claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this cluster signed, or None (bad form or signature)."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            header = json.loads(_unb64(parts[0]))
            if header.get("alg") != "RS256":
                return None
            if not self.key.verify_sha256(f"{parts[0]}.{parts[1]}".encode(), _unb64(parts[2])):
                return None
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            return None
        return claims if isinstance(claims, dict) else None

    def authenticate(self, token: str) -> UserInfo | None:
        """The user a valid token stands for; None if it is not valid (the server answers 401)."""
        claims = self.claims(token)
        if claims is None or claims.get("iss") != ISSUER:
            return None
        now = time.time()
        if not (float(claims.get("nbf", 0)) - 60 <= now < float(claims.get("exp", 0))):
            return None
        if not set(claims.get("aud") or ()) & set(API_AUDIENCES):
            return None
        private = claims.get("kubernetes.io") or {}
        namespace = str(private.get("namespace") or "")
        account = private.get("serviceaccount") or {}
        if not namespace or self.lookup("ServiceAccount", namespace, str(account.get("name"))) != account.get(
            "uid"
        ):
            return None
        extra: dict[str, tuple[str, ...]] = {CREDENTIAL_ID: (f"JTI={claims.get('jti', '')}",)}
        pod = private.get("pod")
        if pod:
            if self.lookup("Pod", namespace, str(pod.get("name"))) != pod.get("uid"):
                return None
            extra[POD_NAME], extra[POD_UID] = (str(pod["name"]),), (str(pod["uid"]),)
        node = private.get("node")
        if node:
            extra[NODE_NAME], extra[NODE_UID] = (str(node.get("name", "")),), (str(node.get("uid", "")),)
        user = service_account_user(namespace, str(account["name"]), str(account.get("uid", "")))
        return UserInfo(user.name, user.groups, user.uid, extra)

    def jwks(self) -> dict[str, Any]:
        """The public key, as /openid/v1/jwks serves it."""
        size = self.key.size
        return {
            "keys": [
                {
                    "use": "sig",
                    "kty": "RSA",
                    "kid": self.kid,
                    "alg": "RS256",
                    "n": _b64(self.key.n.to_bytes(size, "big")),
                    "e": _b64(self.key.e.to_bytes(3, "big")),
                }
            ]
        }
