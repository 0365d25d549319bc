"""The ClusterRole aggregation controller: a ClusterRole with an aggregationRule gets the rules of every
ClusterRole its selectors match, kept up to date as they change (kube-controller-manager's
clusterrole-aggregation controller)."""

from typing import TYPE_CHECKING, Any

from ..auth.bootstrap import aggregated_rules
from ..errors import NotFound
from .informer import Informer, Key, WorkQueue, key_of

if TYPE_CHECKING:
    from ..store import Store


class AggregationController:
    def __init__(self, store: "Store", roles: Informer) -> None:
        self.store, self.roles = store, roles
        self.queue = WorkQueue()
        roles.handlers.append(self._on_role)

    def _on_role(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        if (
            old is not None
            and old.get("rules") == obj.get("rules")
            and old["metadata"].get("labels") == obj["metadata"].get("labels")
            and old.get("aggregationRule") == obj.get("aggregationRule")
        ):
            return  # only a rule, label or selector change can change an aggregate
        for role in list(self.roles.cache.values()):
            if role.get("aggregationRule"):
                self.queue.add(key_of(role))

    async def run(self) -> None:
        await self.queue.run(self.ensure)

    def ensure(self, key: Key) -> None:
        role = self.roles.cache.get(key)
        if role is None:
            return
        rules = aggregated_rules(role, list(self.roles.cache.values()))
        if rules is None or rules == (role.get("rules") or []):
            return

        def set_rules(obj: dict[str, Any]) -> None:
            obj["rules"] = rules

        try:
            self.roles.upsert(self.store.mutate(self.roles.rt, None, key[1], set_rules))
        except NotFound:
            return
