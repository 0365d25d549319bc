"""The namespace controller: empties a Terminating namespace (every namespaced object in it is deleted, pods
gracefully), then removes its kubernetes finalizer, which removes the namespace."""

import contextlib
from typing import TYPE_CHECKING, Any

from .. import namespaces
from ..errors import NotFound
from ..objects import now_iso
from .informer import Informer, Key, WorkQueue, key_of

if TYPE_CHECKING:
    from ..store import Store

RECHECK_SECONDS = 0.2


class NamespaceController:
    def __init__(self, store: "Store", namespace_informer: Informer) -> None:
        self.store, self.namespaces = store, namespace_informer
        self.queue = WorkQueue()
        namespace_informer.handlers.append(self._on_namespace)

    def _on_namespace(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind != "DELETED" and obj["metadata"].get("deletionTimestamp"):
            self.queue.add(key_of(obj))

    async def run(self) -> None:
        await self.queue.run(self.reconcile)

    def reconcile(self, key: Key) -> None:
        namespace = self.namespaces.cache.get(key)
        if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
            return
        name = key[1]
        remaining = self.store.objects_in_namespace(name)
        for rt, obj in remaining:
            meta = obj["metadata"]
            if meta.get("deletionTimestamp") and rt.key != ("", "pods"):
                continue  # waiting for its own finalizers
            with contextlib.suppress(NotFound):
                self.store.delete(rt, name, meta["name"])
        left = self.store.objects_in_namespace(name)
        self._report(namespace, left)
        if left:
            self.queue.add_after(key, RECHECK_SECONDS)
            return
        if namespaces.waits_for_finalizer(namespace):
            with contextlib.suppress(NotFound):
                self.store.mutate(self.namespaces.rt, None, name, _drop_finalizer)

    def _report(self, namespace: dict[str, Any], left: list[tuple[Any, dict[str, Any]]]) -> None:
        previous = (namespace.get("status") or {}).get("conditions") or []
        conditions = namespaces.deletion_conditions(left, previous, now_iso())
        if conditions == previous:
            return

        def write(obj: dict[str, Any]) -> None:
            obj["status"] = {**(obj.get("status") or {}), "conditions": conditions}

        with contextlib.suppress(NotFound):
            self.namespaces.upsert(
                self.store.mutate(
                    self.namespaces.rt, None, namespace["metadata"]["name"], write, subresource="status"
                )
            )


def _drop_finalizer(namespace: dict[str, Any]) -> None:
    namespace["spec"] = namespaces.finalized(namespace)["spec"]
