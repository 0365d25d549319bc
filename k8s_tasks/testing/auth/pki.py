"""The cluster's keys and certificates, made with the ``openssl`` command as kubeadm makes its own: a CA, the
API server's serving certificate (for 127.0.0.1, localhost and the ``kubernetes.default.svc`` names), and
the RSA key that signs ServiceAccount tokens (RS256, as kube-apiserver's --service-account-signing-key-file).

They are made once per process (about 0.2 s) and shared by the clusters it starts; each cluster still only
accepts tokens for ServiceAccounts it holds, checked by uid.
"""

import base64
import functools
import hashlib
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVING_NAMES = (
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
    "DNS:localhost",
    "IP:127.0.0.1",
)
# DigestInfo of SHA-256 (RFC 8017, EMSA-PKCS1-v1_5)
_SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


class PkiError(RuntimeError):
    """openssl is missing or failed: the cluster cannot serve TLS or sign tokens."""


@dataclass(frozen=True)
class RsaKey:
    n: int
    e: int
    d: int
    p: int
    q: int

    @property
    def size(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def sign_sha256(self, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256 (JWS RS256), computed with the CRT."""
        digest = _SHA256_PREFIX + hashlib.sha256(message).digest()
        encoded = b"\x00\x01" + b"\xff" * (self.size - len(digest) - 3) + b"\x00" + digest
        m = int.from_bytes(encoded, "big")
        dp, dq, qinv = self.d % (self.p - 1), self.d % (self.q - 1), pow(self.q, -1, self.p)
        m1, m2 = pow(m, dp, self.p), pow(m, dq, self.q)
        s = m2 + self.q * ((qinv * (m1 - m2)) % self.p)
        return s.to_bytes(self.size, "big")

    def verify_sha256(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != self.size:
            return False
        digest = _SHA256_PREFIX + hashlib.sha256(message).digest()
        expected = b"\x00\x01" + b"\xff" * (self.size - len(digest) - 3) + b"\x00" + digest
        return pow(int.from_bytes(signature, "big"), self.e, self.n).to_bytes(self.size, "big") == expected

    def key_id(self) -> str:
        """A stable id for the JWT header and the JWKS (a hash of the public key)."""
        raw = self.n.to_bytes(self.size, "big") + self.e.to_bytes(4, "big")
        return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).rstrip(b"=").decode()


def _der_integers(der: bytes) -> list[int]:
    """The INTEGERs of a PKCS#1 RSAPrivateKey (SEQUENCE of INTEGERs)."""

    def length(at: int) -> tuple[int, int]:
        first = der[at]
        if first < 0x80:
            return first, at + 1
        count = first & 0x7F
        return int.from_bytes(der[at + 1 : at + 1 + count], "big"), at + 1 + count

    if der[0] != 0x30:
        raise PkiError("the service account key is not a DER SEQUENCE")
    _, at = length(1)
    values = []
    while at < len(der):
        if der[at] != 0x02:
            raise PkiError("the service account key holds something other than INTEGERs")
        size, at = length(at + 1)
        values.append(int.from_bytes(der[at : at + size], "big", signed=False))
        at += size
    return values


def parse_rsa_key(pem: str) -> RsaKey:
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    _, n, e, d, p, q, *_ = _der_integers(base64.b64decode(body))
    return RsaKey(n, e, d, p, q)


@dataclass(frozen=True)
class Pki:
    directory: Path
    ca_pem: str
    service_account_key: RsaKey

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.crt"

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.directory / "apiserver.crt", self.directory / "apiserver.key")
        return context

    def client_context(self) -> ssl.SSLContext:
        """For tests that talk to the API server with urllib: trusts the cluster's CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise PkiError(f"openssl {args[0]} failed: {done.stderr.strip()[-500:]}")


@functools.cache
def shared_pki() -> Pki:
    """This process's keys and certificates (made on first use)."""
    if shutil.which("openssl") is None:
        raise PkiError("the local cluster needs the openssl command to make its CA and serving certificate")
    directory = Path(tempfile.mkdtemp(prefix="k8s-tasks-pki-"))
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650",
        "-subj", "/CN=kubernetes", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "req", *ec, "-keyout", "apiserver.key", "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver",
        cwd=directory,
    )  # fmt: skip
    (directory / "ext.cnf").write_text(
        f"subjectAltName={','.join(SERVING_NAMES)}\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "apiserver.crt", "-days", "3650", "-extfile", "ext.cnf",
        cwd=directory,
    )  # fmt: skip
    _openssl("genrsa", "-traditional", "-out", "sa.key", "2048", cwd=directory)
    key = parse_rsa_key((directory / "sa.key").read_text())
    return Pki(directory, (directory / "ca.crt").read_text(), key)
