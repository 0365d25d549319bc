"""Paths into the final pod template of a queue, and which TaskQueue field decided the value at one.

The checks of the final pod (Pod Security and the project's own rules) look at the pod template that
``build_job`` makes: the profile's pod with the ``podTemplate`` merged over it. A problem found there must
name the field a person edits, so ``origin`` walks the same path through the ``podTemplate``:

- the podTemplate sets the value itself: that field, with its value
  (``spec.podTemplate.spec.hostNetwork: True``);
- the podTemplate set a mapping on the way to null, or replaced it: that field
  (``spec.podTemplate.spec.securityContext`` set to null removes the pod's seccomp profile);
- the podTemplate adds the container (or volume) but not the field: the field to set, as not set
  (``spec.podTemplate.spec.initContainers[setup].securityContext.allowPrivilegeEscalation``);
- the podTemplate does not touch it: None (the value is the profile's own, see ``origin``).

List items are named by their ``name`` (containers, volumes, env, sysctls), as the merge matches them, or
by their index when they have none (ports).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import MISSING

ROOT = "spec.podTemplate"
CONTAINER_KINDS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class Item:
    """A list item: by name, or by index for items without one."""

    key: str | int


Step = str | Item
Path = tuple[Step, ...]


@dataclass(frozen=True)
class Origin:
    """The TaskQueue field behind a value of the final pod, and its value there (MISSING: not set)."""

    field: str
    value: Any


def render(path: Path, root: str = ROOT) -> str:
    text = root
    for step in path:
        if isinstance(step, Item):
            text += f"[{step.key}]"
        elif "." in step or "/" in step:
            text += f"[{step!r}]"
        else:
            text += f".{step}"
    return text


def _find(items: list[Any], key: str | int) -> Any:
    if isinstance(key, int):
        return items[key] if 0 <= key < len(items) else MISSING
    for item in items:
        if isinstance(item, Mapping) and item.get("name") == key:
            return item
    return MISSING


def lookup(tree: Any, path: Path) -> Any:
    """The value at ``path`` in ``tree``, MISSING if any step is absent (or of another type)."""
    node = tree
    for step in path:
        if isinstance(step, Item):
            node = _find(node, step.key) if isinstance(node, list) else MISSING
        else:
            node = node.get(step, MISSING) if isinstance(node, Mapping) else MISSING
        if node is MISSING:
            return MISSING
    return node


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (a field the API would refuse is checked elsewhere)."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def item_step(entry: Any, index: int) -> Item:
    name = mapping(entry).get("name")
    return Item(name) if isinstance(name, str) and name else Item(index)


def find_origin(pod_template: Mapping[str, Any] | None, path: Path, final: Any) -> Origin | None:
    """The podTemplate field that decided the value ``final`` at ``path`` (None: not the podTemplate)."""
    node: Any = pod_template or {}
    touched_item = False
    for i, step in enumerate(path):
        if isinstance(step, Item) and isinstance(node, list):
            node = _find(node, step.key)
            touched_item = touched_item or node is not MISSING
        elif isinstance(step, str) and isinstance(node, Mapping):
            node = node.get(step, MISSING)
            if node is None:
                return Origin(render(path[: i + 1]), None)
        else:  # the podTemplate replaced what is on the way with a value of another kind
            return Origin(render(path[:i]), node)
        if node is MISSING:
            # Untouched below here: the value is the profile's, unless the podTemplate added the item
            # around it (a container of its own), which then lacks the field.
            return Origin(render(path), final) if touched_item and final is MISSING else None
    return Origin(render(path), node)


def origin(
    pod_template: Mapping[str, Any] | None, *paths: Path, final: Any = MISSING, fallback: str = ""
) -> Origin:
    """The first of ``paths`` the podTemplate decided (see find_origin); else ``fallback`` (the profile
    field the value comes from) or the first path itself.

    E.g. a pod-level field, then the container's own: a container without its own seccompProfile is
    named by the pod's securityContext the podTemplate set to null, if it did.
    """
    for path in paths:
        found = find_origin(pod_template, path, final)
        if found is not None:
            return found
    return Origin(fallback or render(paths[0]), final)


@dataclass(frozen=True)
class Container:
    """One container of the final pod: its name, kind, path, and securityContext (empty if none)."""

    name: str
    kind: str
    path: Path
    spec: Mapping[str, Any]

    @property
    def security(self) -> Mapping[str, Any]:
        return mapping(self.spec.get("securityContext"))

    def at(self, *steps: Step) -> Path:
        return (*self.path, *steps)


def containers(pod_spec: Mapping[str, Any]) -> Iterator[Container]:
    """Init containers, containers and ephemeral containers, in the order Pod Security visits them."""
    for kind in CONTAINER_KINDS:
        for index, entry in enumerate(items(pod_spec.get(kind))):
            if isinstance(entry, Mapping):
                step = item_step(entry, index)
                yield Container(str(step.key), kind, ("spec", kind, step), entry)
