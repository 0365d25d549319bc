"""The service account controller: every active namespace has a ServiceAccount named default, re-created
if someone deletes it."""

from typing import TYPE_CHECKING, Any

from ..errors import AlreadyExists, ApiError
from .informer import Informer, Key, WorkQueue, key_of

if TYPE_CHECKING:
    from ..store import Store

DEFAULT = "default"


class ServiceAccountController:
    def __init__(self, store: "Store", namespaces: Informer, accounts: Informer) -> None:
        self.store, self.namespaces, self.accounts = store, namespaces, accounts
        self.queue = WorkQueue()
        namespaces.handlers.append(self._on_namespace)
        accounts.handlers.append(self._on_account)

    def _on_namespace(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind != "DELETED" and not obj["metadata"].get("deletionTimestamp"):
            self.queue.add(key_of(obj))

    def _on_account(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind == "DELETED" and obj["metadata"]["name"] == DEFAULT:
            self.queue.add((None, obj["metadata"].get("namespace", "")))

    async def run(self) -> None:
        await self.queue.run(self.ensure)

    def ensure(self, key: Key) -> None:
        name = key[1]
        namespace = self.namespaces.cache.get((None, name))
        if namespace is None or namespace["metadata"].get("deletionTimestamp"):
            return
        if self.accounts.cache.get((name, DEFAULT)) is not None:
            return
        account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": DEFAULT}}
        try:
            created = self.store.create(self.accounts.rt, account, name, copy=False)
        except (AlreadyExists, ApiError):  # there already, or the namespace began terminating meanwhile
            return
        self.accounts.upsert(created)
