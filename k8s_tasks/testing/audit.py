"""The audit log of the local cluster: one entry per API request the server handled.

``LocalCluster.audit`` keeps every entry in memory (a list, with helpers to pick a user's, a verb's or a
resource's); with ``audit_path`` each entry is also appended to that file as one JSON line, written as the
request ends (``python -m k8s_tasks.testing cluster --audit-log PATH``). An entry holds what kube-apiserver's
audit events hold at the Metadata level, flattened: the user as authenticated, the verb as the API server
names it (get, list, watch, create, update, patch, delete, deletecollection; the lower-cased HTTP method
for a non-resource path), the API group, resource, subresource, namespace and name, and the response code.
A watch is entered when its response starts, with code 200.
"""

import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import orjson


@dataclass(frozen=True, slots=True)
class AuditEntry:
    user: str
    groups: tuple[str, ...]
    verb: str
    api_group: str
    resource: str
    subresource: str
    namespace: str
    name: str
    code: int
    path: str  # the request path (for a non-resource request, what was asked for)
    resource_request: bool = True

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["groups"] = list(self.groups)
        return data


class AuditLog:
    """Every entry so far, in the order the responses started. Appends are atomic under the GIL, so
    tests may read it from any thread while the cluster runs."""

    def __init__(self, path: Path | None = None) -> None:
        self.entries: list[AuditEntry] = []
        self.path = path
        self._file: IO[bytes] | None = None
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("ab", buffering=0)

    def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)
        if self._file is not None:
            line = orjson.dumps(entry.as_json()) + b"\n"
            with self._lock:
                self._file.write(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __iter__(self) -> Iterator[AuditEntry]:
        return iter(list(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()

    def of_user(self, user: str) -> list[AuditEntry]:
        return [e for e in list(self.entries) if e.user == user]

    def matching(
        self,
        *,
        user: str | None = None,
        verb: str | None = None,
        resource: str | None = None,
        namespace: str | None = None,
        code: int | None = None,
    ) -> list[AuditEntry]:
        """The entries whose every given attribute equals the one asked for."""
        wanted = {"user": user, "verb": verb, "resource": resource, "namespace": namespace, "code": code}
        checks = [(k, v) for k, v in wanted.items() if v is not None]
        return [e for e in list(self.entries) if all(getattr(e, k) == v for k, v in checks)]

    def verbs_by_resource(self, user: str) -> dict[tuple[str, str], set[str]]:
        """{(api group, resource[/subresource]): verbs} that a user's requests used (for least-privilege
        checks against a Role)."""
        found: dict[tuple[str, str], set[str]] = {}
        for e in self.of_user(user):
            if e.resource_request:
                resource = f"{e.resource}/{e.subresource}" if e.subresource else e.resource
                found.setdefault((e.api_group, resource), set()).add(e.verb)
        return found


def read_audit_file(path: Path) -> list[dict[str, Any]]:
    """The entries an ``--audit-log`` file holds, as dicts (for tests of a cluster in another process)."""
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
