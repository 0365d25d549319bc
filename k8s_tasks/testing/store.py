"""The in-memory object store of the local cluster: what etcd plus kube-apiserver's registry do.

Every method runs on the cluster's event loop thread. Stored objects are never mutated in place: each
change stores a new dict, so watch events and history can share them safely. ``get``/``list`` return
deep copies by default; the HTTP server passes ``copy=False`` because it only serialises.
"""

from collections import deque
from collections.abc import Callable
from typing import Any

from . import admission, gc, namespaces, plugins, services, ssa
from .errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    Gone,
    Invalid,
    MethodNotAllowed,
    NotFound,
    TooManyRequests,
    conflict,
    not_found,
)
from .objects import clone
from .patching import apply_patch
from .registry import TypeRegistry
from .resources import BUILTINS, KOPF_PEERINGS, ResourceType, crd_status, from_crd
from .selectors import Selector
from .validation import WARN, decode, validate, validate_update
from .watch import Change, Watch

__all__ = [
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Conflict",
    "Gone",
    "Invalid",
    "MethodNotAllowed",
    "NotFound",
    "ResourceType",
    "Store",
    "TooManyRequests",
    "Watch",
]

Key = tuple[str, str]
Objects = list[dict[str, Any]]
Typed = list[tuple[ResourceType, dict[str, Any]]]
ObjKey = tuple[str, str]  # (namespace or "", name)
HISTORY_PER_TYPE = 20000


class Store(TypeRegistry):
    def __init__(self) -> None:
        super().__init__()
        self._rv = 1
        self._objects: dict[Key, dict[ObjKey, dict[str, Any]]] = {}
        self._history: dict[Key, deque[Change]] = {}
        self._compacted: dict[Key, int] = {}
        self._watchers: dict[Key, set[Watch]] = {}
        self.dependents: dict[str, set[tuple[ResourceType, str, str]]] = {}
        for rt in (*BUILTINS, *KOPF_PEERINGS):
            self.register(rt)
        for name in namespaces.INITIAL:
            self.create(self.resource_type("v1", "Namespace"), {"metadata": {"name": name}})

    def register(self, rt: ResourceType) -> None:
        super().register(rt)
        self._objects.setdefault(rt.key, {})
        self._history.setdefault(rt.key, deque())
        self._watchers.setdefault(rt.key, set())

    def unregister(self, group: str, plural: str) -> None:
        super().unregister(group, plural)
        for watch in list(self._watchers.pop((group, plural), ())):
            watch.close()
        self._objects.pop((group, plural), None)

    @property
    def resource_version(self) -> str:
        return str(self._rv)

    # -- reads ----------------------------------------------------------------------------------------
    def _stored(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self._objects[rt.key].get(((namespace or "") if rt.namespaced else "", name))
        if obj is None:
            raise not_found(rt.plural, rt.group, name)
        return obj

    def get(self, rt: ResourceType, namespace: str | None, name: str, *, copy: bool = True) -> dict[str, Any]:
        obj = self._stored(rt, namespace, name)
        return clone(obj) if copy else obj

    def list(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        copy: bool = True,
    ) -> tuple[Objects, str]:
        match = Selector.parse(label_selector, field_selector)
        objects = self._objects[rt.key]
        if namespace and rt.namespaced:
            items = [o for (ns, _), o in objects.items() if ns == namespace and match(o)]
        elif match.empty:
            items = list(objects.values())
        else:
            items = [o for o in objects.values() if match(o)]
        return ([clone(o) for o in items] if copy else items), str(self._rv)

    def watch(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | None = None,
        copy: bool = True,
    ) -> Watch:
        """Changes after ``resource_version`` (None: after now); a version compacted away is 410 Gone."""
        key = rt.key
        ns = namespace if rt.namespaced and namespace else None
        selector = Selector.parse(label_selector, field_selector)
        watch = Watch(ns, None if selector.empty else selector, self._watchers[key].discard, copy=copy)
        if resource_version not in (None, ""):
            try:
                since = int(str(resource_version))
            except ValueError:
                raise BadRequest(
                    f"invalid resourceVersion {resource_version!r}: it must be a number"
                ) from None
            if since < self._compacted.get(key, 0):
                raise Gone(f"too old resource version: {since} ({self._compacted[key]})")
            for change in self._history[key]:
                if change.rv > since:
                    watch.offer(change)
        self._watchers[key].add(watch)
        return watch

    def compact(self) -> None:
        """Forget all history, as etcd compaction does: watches from older versions then get 410."""
        for key, history in self._history.items():
            if history:
                self._compacted[key] = self._rv
            history.clear()

    def close_watches(self) -> None:
        for watchers in self._watchers.values():
            for watch in list(watchers):
                watch.close()

    # -- the single write path ------------------------------------------------------------------------
    def _commit(
        self, rt: ResourceType, kind: str, new: dict[str, Any], old: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Store ``new`` (a copy of its top level with the next resourceVersion: ``new`` itself may be the
        stored object, as on deletion, and stored objects are shared with watches and informers, so they
        are never changed in place) and fan the change out; the stored dict is returned."""
        self._rv += 1
        new = {**new, "metadata": {**new["metadata"], "resourceVersion": str(self._rv)}}
        m = new["metadata"]
        objects = self._objects[rt.key]
        okey = (m.get("namespace", "") if rt.namespaced else "", m["name"])
        if kind == "DELETED":
            objects.pop(okey, None)
        else:
            objects[okey] = new
        gc.index(self, rt, new if kind != "DELETED" else None, old)
        change = Change(self._rv, kind, new, old)
        history = self._history[rt.key]
        if len(history) >= HISTORY_PER_TYPE:
            self._compacted[rt.key] = history.popleft().rv
        history.append(change)
        for watch in list(self._watchers[rt.key]):
            watch.offer(change)
        return new

    # -- create ---------------------------------------------------------------------------------------
    def create(
        self,
        rt: ResourceType,
        obj: dict[str, Any],
        namespace: str | None = None,
        *,
        field_validation: str = WARN,
        copy: bool = True,
        check: bool = True,
        manager: ssa.Manager | None = None,
        managed_fields: Objects | None = None,
    ) -> dict[str, Any]:
        """Store a new object. ``copy=False``: the caller gives up ``obj`` and gets the stored dict back
        (read-only); the HTTP server does this with each freshly parsed body. ``check=False`` skips
        decoding and validation, for controllers writing objects they built themselves (events, pods).
        ``field_validation`` is the request's: Strict refuses unknown fields, Warn warns (the default).
        ``manager`` (who writes) gets the fields it sets in managedFields, or ``managed_fields`` are stored
        as given (a server-side apply has worked them out)."""
        if copy:
            obj = clone(obj)
        ns = admission.settle_namespace(rt, obj, namespace)
        if rt.namespaced:
            holder = self._objects[("", "namespaces")].get(("", ns))
            if holder is None:
                raise not_found("namespaces", "", ns)
            if holder["metadata"].get("deletionTimestamp"):
                raise namespaces.refuse_in_terminating(rt, obj["metadata"].get("name") or "", ns)
        missing = decode(rt, obj, field_validation) if check else []
        requested_name = str(obj["metadata"].get("name") or obj["metadata"].get("generateName") or "")
        name = admission.settle_name(rt, obj)
        if (ns, name) in self._objects[rt.key]:
            resource = f"{rt.plural}.{rt.group}" if rt.group else rt.plural
            raise AlreadyExists(
                f'{resource} "{name}" already exists',
                details={"name": name, "group": rt.group, "kind": rt.plural},
            )
        obj = admission.initialise(rt, obj)
        if services.is_service(rt):
            services.create_defaults(self, rt, obj)
        if managed_fields is not None:
            obj["metadata"]["managedFields"] = managed_fields
        elif manager is not None:
            ssa.record_update(rt, None, obj, manager)
        plugins.mutate(self, rt, obj, requested_name)
        if check:
            validate(rt, obj, missing)
        plugins.validate(self, rt, obj)
        if rt.key == ("apiextensions.k8s.io", "customresourcedefinitions"):
            obj["status"] = crd_status(obj)
        obj = self._commit(rt, "ADDED", obj, None)
        if rt.key == ("apiextensions.k8s.io", "customresourcedefinitions"):
            for crd_type in from_crd(obj):
                self.register(crd_type)
        return clone(obj) if copy else obj

    # -- update ---------------------------------------------------------------------------------------
    def _update(
        self,
        rt: ResourceType,
        current: dict[str, Any],
        new: dict[str, Any],
        subresource: str | None,
        *,
        field_validation: str = WARN,
        check: bool = True,
        manager: ssa.Manager | None = None,
        managed_fields: Objects | None = None,
    ) -> dict[str, Any]:
        """Store ``new`` as the next version of ``current``; no event and no new version if unchanged."""
        if check:
            decode(rt, new, field_validation)
        sent = (new.get("metadata") or {}).get("managedFields")
        if not isinstance(sent, list) or sent == current["metadata"].get("managedFields"):
            sent = None  # else a client sets them (kubectl moving client-side apply's fields to "kubectl")
        new = admission.next_version(rt, current, new, subresource)
        if sent is not None:
            new["metadata"]["managedFields"] = sent
        if managed_fields is not None:
            new["metadata"]["managedFields"] = managed_fields
        if new == current:
            return current
        if managed_fields is None and manager is not None:
            ssa.record_update(rt, current, new, manager, base=sent)
        if check:
            if subresource is None:
                validate_update(rt, current, new)
            else:
                validate(rt, new, creating=False)
        if gc.removable(rt, new):
            return gc.remove(self, rt, new) or new
        return self._commit(rt, "MODIFIED", new, current)

    def replace(
        self,
        rt: ResourceType,
        obj: dict[str, Any],
        *,
        subresource: str | None = None,
        field_validation: str = WARN,
        copy: bool = True,
        manager: ssa.Manager | None = None,
        managed_fields: Objects | None = None,
    ) -> dict[str, Any]:
        m = obj.get("metadata") or {}
        current = self._stored(rt, m.get("namespace"), m.get("name", ""))
        rv = m.get("resourceVersion")
        if rv not in (None, "") and rv != current["metadata"]["resourceVersion"]:
            raise conflict(rt.plural, rt.group, current["metadata"]["name"])
        stored = self._update(
            rt,
            current,
            clone(obj) if copy else obj,
            subresource,
            field_validation=field_validation,
            manager=manager,
            managed_fields=managed_fields,
        )
        return clone(stored) if copy else stored

    def patch(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        patch_type: str,
        *,
        subresource: str | None = None,
        field_validation: str = WARN,
        copy: bool = True,
        manager: ssa.Manager | None = None,
    ) -> dict[str, Any]:
        current = self._stored(rt, namespace, name)
        patched = apply_patch(rt, current, body, patch_type)
        rv = (patched.get("metadata") or {}).get("resourceVersion")
        if rv not in (None, "") and rv != current["metadata"]["resourceVersion"]:
            raise conflict(rt.plural, rt.group, name)
        stored = self._update(
            rt, current, clone(patched), subresource, field_validation=field_validation, manager=manager
        )
        return clone(stored) if copy else stored

    def mutate(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        fn: Callable[[dict[str, Any]], None],
        *,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        """For controllers: ``fn`` edits a copy in place; stored without a resourceVersion check and
        without schema validation (controllers are trusted, and this is the hot path). Returns the stored
        object, which is read-only.

        Without a subresource ``fn`` gets a deep copy. With one, only the top level of what the
        subresource may change is copied, and ``fn`` may set its fields but must not edit the values
        inside them (a new conditions list, not an append: they are shared with the stored object):
        ``"status"``, the status; ``"binding"`` (what POST pods/NAME/binding does for the scheduler), the
        status and the spec, to set spec.nodeName and the PodScheduled condition in one write; 409 if
        the pod is bound already."""
        current = self._stored(rt, namespace, name)
        if subresource is None:
            edited = clone(current)
        else:
            edited = {**current, "metadata": dict(current["metadata"])}
            if "status" in current:
                edited["status"] = dict(current["status"])
        if subresource == "binding":
            if (current.get("spec") or {}).get("nodeName"):
                raise conflict(rt.plural, rt.group, name)
            edited["spec"] = dict(current.get("spec") or {})
            fn(edited)
            return self._commit(rt, "MODIFIED", edited, current)
        fn(edited)
        return self._update(rt, current, edited, subresource, check=False)

    # -- delete ---------------------------------------------------------------------------------------
    def delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        *,
        propagation_policy: str = "Background",
        grace_period_seconds: int | None = None,
    ) -> dict[str, Any]:
        current = self._stored(rt, namespace, name)
        return clone(gc.delete(self, rt, current, propagation_policy, grace_period_seconds))

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        propagation_policy: str = "Background",
        grace_period_seconds: int | None = None,
    ) -> Objects:
        items, _ = self.list(
            rt, namespace, label_selector=label_selector, field_selector=field_selector, copy=False
        )
        deleted = []
        for obj in items:
            m = obj["metadata"]
            try:
                deleted.append(
                    self.delete(
                        rt,
                        m.get("namespace"),
                        m["name"],
                        propagation_policy=propagation_policy,
                        grace_period_seconds=grace_period_seconds,
                    )
                )
            except NotFound:
                continue
        return deleted

    # -- used by gc -----------------------------------------------------------------------------------
    def stored_or_none(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any] | None:
        return self._objects.get(rt.key, {}).get(((namespace or "") if rt.namespaced else "", name))

    def commit(
        self, rt: ResourceType, kind: str, new: dict[str, Any], old: dict[str, Any] | None
    ) -> dict[str, Any]:
        return self._commit(rt, kind, new, old)

    def objects_in_namespace(self, namespace: str) -> Typed:
        found: Typed = []
        for rt in self._by_gvk.values():
            if rt.namespaced and self._by_gvr.get((rt.group, rt.version, rt.plural)) is rt:
                found.extend(
                    (rt, o) for (ns, _), o in list(self._objects.get(rt.key, {}).items()) if ns == namespace
                )
        return found

    def all_of(self, rt: ResourceType) -> Objects:
        return list(self._objects.get(rt.key, {}).values())
