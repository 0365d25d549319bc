"""The served resource types, looked up by (apiVersion, kind) and by (group, version, plural)."""

from .errors import NotFound
from .resources import ResourceType


class TypeRegistry:
    def __init__(self) -> None:
        self._by_gvk: dict[tuple[str, str], ResourceType] = {}
        self._by_gvr: dict[tuple[str, str, str], ResourceType] = {}

    def register(self, rt: ResourceType) -> None:
        self._by_gvk[(rt.api_version, rt.kind)] = rt
        self._by_gvr[(rt.group, rt.version, rt.plural)] = rt

    def unregister(self, group: str, plural: str) -> None:
        for gvr, rt in list(self._by_gvr.items()):
            if rt.key == (group, plural):
                del self._by_gvr[gvr]
                self._by_gvk.pop((rt.api_version, rt.kind), None)

    def resource_types(self) -> list[ResourceType]:
        return list(self._by_gvr.values())

    def resource_type(self, api_version: str, kind: str) -> ResourceType:
        rt = self._by_gvk.get((api_version, kind))
        if rt is None:
            raise NotFound(f'no matches for kind "{kind}" in version "{api_version}"')
        return rt

    def resource_for(self, group: str, version: str, plural: str) -> ResourceType:
        rt = self._by_gvr.get((group, version, plural))
        if rt is None:
            raise NotFound(f"the server could not find the requested resource ({plural}.{group}/{version})")
        return rt
