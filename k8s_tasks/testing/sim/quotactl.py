"""The ResourceQuota controller: each quota's ``status.hard`` is its ``spec.hard`` and ``status.used`` what
its namespace uses now (recounted when a quota, pod or Job changes there, and every 10 s), so usage the
admission plugin charged is given back when pods end or go."""

from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ..plugins import quota
from .informer import Informer, Key, WorkQueue

if TYPE_CHECKING:
    from ..store import Store

RESYNC_SECONDS = 10.0


class QuotaController:
    def __init__(self, store: "Store", quotas: Informer, *watched: Informer) -> None:
        self.store, self.quotas = store, quotas
        self.queue = WorkQueue()
        self._namespaces: set[str] = set()
        quotas.handlers.append(self._on_quota)
        for informer in watched:
            informer.handlers.append(self._on_object)

    def _on_quota(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        namespace = obj["metadata"].get("namespace") or ""
        if kind != "DELETED":
            self._namespaces.add(namespace)
        if old is None or old.get("spec") != obj.get("spec"):
            self.queue.add((None, namespace))

    def _on_object(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        namespace = obj["metadata"].get("namespace") or ""
        if namespace in self._namespaces and (
            kind != "MODIFIED" or quota.terminal(obj) != quota.terminal(old or {})
        ):
            self.queue.add((None, namespace))

    async def run(self) -> None:
        await self.queue.run(self.ensure)

    def ensure(self, key: Key) -> None:
        namespace = key[1]
        quotas = [q for (ns, _), q in list(self.quotas.cache.items()) if ns == namespace]
        if not quotas:
            self._namespaces.discard(namespace)
            return
        for resource_quota in quotas:
            hard = {k: str(v) for k, v in ((resource_quota.get("spec") or {}).get("hard") or {}).items()}
            status = quota.status_of(hard, quota.used_in(self.store, namespace, set(hard)))
            if status == resource_quota.get("status"):
                continue

            def write(obj: dict[str, Any], status: dict[str, Any] = status) -> None:
                obj["status"] = status

            try:
                self.quotas.upsert(
                    self.store.mutate(
                        self.quotas.rt,
                        namespace,
                        resource_quota["metadata"]["name"],
                        write,
                        subresource="status",
                    )
                )
            except NotFound:
                continue
        self.queue.add_after(key, RESYNC_SECONDS)
