"""What every admission plugin shares: the request's attributes and upstream's Forbidden wording
(admission.NewForbidden: ``pods "NAME" is forbidden: <why>``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import Forbidden
from ..resources import ResourceType

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class Attributes:
    """One create, as the plugins see it. ``name`` is what the mutating plugins see (a generateName
    prefix, as upstream names objects only after mutating admission); validation sees the final name."""

    store: "Store"
    rt: ResourceType
    namespace: str
    name: str


def forbidden(a: Attributes, why: str, name: str | None = None) -> Forbidden:
    subject = name if name is not None else a.name
    resource = f"{a.rt.plural}.{a.rt.group}" if a.rt.group else a.rt.plural
    return Forbidden(
        f'{resource} "{subject}" is forbidden: {why}',
        details={"name": subject, "group": a.rt.group, "kind": a.rt.plural},
    )
