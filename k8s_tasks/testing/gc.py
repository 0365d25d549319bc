"""Deletion: graceful pod termination, finalizers, and owner-reference garbage collection
(propagation policies Background, Foreground and Orphan), as kube-apiserver plus the GC controller do.
"""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import namespaces
from .objects import now_iso
from .resources import ResourceType

if TYPE_CHECKING:
    from .store import Store

FOREGROUND = "foregroundDeletion"
_uid_index: "dict[int, dict[str, tuple[ResourceType, str, str]]]" = {}


def _owners(obj: dict[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    return [ref["uid"] for ref in obj["metadata"].get("ownerReferences") or [] if ref.get("uid")]


def index(store: "Store", rt: ResourceType, new: dict[str, Any] | None, old: dict[str, Any] | None) -> None:
    """Keep the owner-uid -> dependents and uid -> object indexes current after one change."""
    current = new or old
    assert current is not None
    m = current["metadata"]
    ref = (rt, m.get("namespace", ""), m["name"])
    old_refs = None if old is None else old["metadata"].get("ownerReferences")
    new_refs = None if new is None else m.get("ownerReferences")
    if old_refs is not new_refs and old_refs != new_refs:  # the same list on most updates
        old_owners, new_owners = _owners(old), _owners(new)
        for uid in old_owners:
            deps = store.dependents.get(uid)
            if deps is not None:
                deps.discard(ref)
                if not deps:
                    del store.dependents[uid]
        for uid in new_owners:
            store.dependents.setdefault(uid, set()).add(ref)
    uids = _uid_index.setdefault(id(store), {})
    if new is None:
        uids.pop(m["uid"], None)
    else:
        uids[m["uid"]] = ref


def _lookup(store: "Store", uid: str) -> tuple[ResourceType, dict[str, Any]] | None:
    ref = _uid_index.get(id(store), {}).get(uid)
    if ref is None:
        return None
    obj = store.stored_or_none(*ref)
    return (ref[0], obj) if obj is not None else None


def _with_meta(obj: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], **changes}}


def _dependents(store: "Store", uid: str) -> list[tuple[ResourceType, dict[str, Any]]]:
    found = []
    for rt, ns, name in list(store.dependents.get(uid, ())):
        obj = store.stored_or_none(rt, ns, name)
        if obj is not None:
            found.append((rt, obj))
    return found


def remove(store: "Store", rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any] | None:
    """Remove the object for good, then collect what depended on it; the object as deleted (None if it
    was gone already)."""
    if store.stored_or_none(rt, obj["metadata"].get("namespace"), obj["metadata"]["name"]) is None:
        return None
    deleted = store.commit(rt, "DELETED", obj, obj)
    uid = obj["metadata"]["uid"]
    for dep_rt, dep in _dependents(store, uid):
        delete(store, dep_rt, dep, "Background", None)
    if rt.key == ("apiextensions.k8s.io", "customresourcedefinitions"):
        spec = obj.get("spec") or {}
        store.unregister(spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
    if rt.key == ("", "namespaces"):
        for ns_rt, ns_obj in store.objects_in_namespace(obj["metadata"]["name"]):
            delete(store, ns_rt, ns_obj, "Background", 0)
    for owner_uid in _owners(obj):
        _finish_foreground(store, owner_uid)
    return deleted


def _finish_foreground(store: "Store", owner_uid: str) -> None:
    found = _lookup(store, owner_uid)
    if found is None or _dependents(store, owner_uid):
        return
    rt, owner = found
    finalizers = owner["metadata"].get("finalizers") or []
    if FOREGROUND in finalizers:
        rest = [f for f in finalizers if f != FOREGROUND]
        updated = _with_meta(owner, finalizers=rest)
        if not rest:
            updated["metadata"].pop("finalizers")
            remove(store, rt, updated)
        else:
            store.commit(rt, "MODIFIED", updated, owner)


def _pod_grace(obj: dict[str, Any], grace: int | None) -> int:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
        return 0
    if grace is not None:
        return max(0, grace)
    return int(spec.get("terminationGracePeriodSeconds", 30))


def removable(rt: ResourceType, obj: dict[str, Any]) -> bool:
    """Whether an object marked for deletion can go now: no finalizers and no pod termination pending."""
    m = obj["metadata"]
    if not m.get("deletionTimestamp") or m.get("finalizers"):
        return False
    if namespaces.is_namespace(rt) and namespaces.waits_for_finalizer(obj):
        return False
    return not (rt.key == ("", "pods") and int(m.get("deletionGracePeriodSeconds") or 0) > 0)


def delete(
    store: "Store", rt: ResourceType, current: dict[str, Any], policy: str, grace: int | None
) -> dict[str, Any]:
    if policy not in ("Background", "Foreground", "Orphan"):
        from .errors import BadRequest

        raise BadRequest(f"propagationPolicy {policy!r} is not valid: use Background, Foreground or Orphan")
    m = current["metadata"]
    uid = m["uid"]
    if namespaces.is_namespace(rt) and namespaces.waits_for_finalizer(current):
        # emptied by the namespace controller, which then removes the finalizer and so the namespace
        if m.get("deletionTimestamp"):
            return current
        return store.commit(rt, "MODIFIED", namespaces.mark_terminating(current), current)
    if rt.key == ("", "pods"):
        period = _pod_grace(current, grace)
        if period > 0:
            if m.get("deletionTimestamp"):
                return current
            when = (datetime.now(UTC) + timedelta(seconds=period)).strftime("%Y-%m-%dT%H:%M:%SZ")
            marked = _with_meta(current, deletionTimestamp=when, deletionGracePeriodSeconds=period)
            return store.commit(rt, "MODIFIED", marked, current)
        if m.get("deletionTimestamp") and m.get("deletionGracePeriodSeconds"):
            current = _with_meta(current, deletionGracePeriodSeconds=0)
    if policy == "Orphan":
        for dep_rt, dep in _dependents(store, uid):
            refs = [r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            orphaned = _with_meta(dep, ownerReferences=refs)
            if not refs:
                del orphaned["metadata"]["ownerReferences"]
            store.commit(dep_rt, "MODIFIED", orphaned, dep)
    elif policy == "Foreground" and _dependents(store, uid):
        finalizers = [
            *(m.get("finalizers") or []),
            *([] if FOREGROUND in (m.get("finalizers") or []) else [FOREGROUND]),
        ]
        marked = _with_meta(
            current, deletionTimestamp=m.get("deletionTimestamp") or now_iso(), finalizers=finalizers
        )
        marked = store.commit(rt, "MODIFIED", marked, current)
        for dep_rt, dep in _dependents(store, uid):
            delete(store, dep_rt, dep, "Background", None)
        _finish_foreground(store, uid)
        return marked
    if m.get("finalizers"):
        if m.get("deletionTimestamp") and current is store.stored_or_none(rt, m.get("namespace"), m["name"]):
            return current
        marked = _with_meta(current, deletionTimestamp=m.get("deletionTimestamp") or now_iso())
        return store.commit(rt, "MODIFIED", marked, store.stored_or_none(rt, m.get("namespace"), m["name"]))
    return remove(store, rt, current) or current
