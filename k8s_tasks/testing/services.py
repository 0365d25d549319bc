"""Services as kube-apiserver stores them: SetDefaults_Service (type, sessionAffinity, port protocol and
targetPort, traffic policies), the IP family fields, a cluster IP from the service CIDR 10.96.0.0/12 and
node ports from 30000-32767 (allocated at random, as upstream's allocators do), and an empty load-balancer
status. An update keeps what was allocated."""

import ipaddress
import random
from typing import TYPE_CHECKING, Any

from .errors import Invalid
from .resources import ResourceType

if TYPE_CHECKING:
    from .store import Store

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)
_ALLOCATED = ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "healthCheckNodePort")


def is_service(rt: ResourceType) -> bool:
    return rt.key == ("", "services")


def _defaults(spec: dict[str, Any]) -> None:
    kind = spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        config.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if port.get("targetPort") in (None, 0, ""):
                port["targetPort"] = port.get("port")
    if kind != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def _used(store: "Store", rt: ResourceType) -> tuple[set[str], set[int]]:
    ips: set[str] = set()
    ports: set[int] = set()
    for service in store.all_of(rt):
        spec = service.get("spec") or {}
        ips.update(spec.get("clusterIPs") or [])
        ports.update(int(p["nodePort"]) for p in spec.get("ports") or [] if p.get("nodePort"))
    return ips, ports


def _free_ip(used: set[str]) -> str:
    while True:  # 1M addresses: a random pick is all but certainly free
        address = str(SERVICE_CIDR[random.randrange(11, SERVICE_CIDR.num_addresses - 1)])
        if address not in used:
            return address


def _free_port(used: set[int]) -> int:
    free = [p for p in NODE_PORTS if p not in used]
    if not free:
        raise Invalid("Service is invalid: spec.ports: Internal error: range is full")
    return random.choice(free)


def create_defaults(store: "Store", rt: ResourceType, obj: dict[str, Any]) -> None:
    """Defaults and allocations of a new Service, in place."""
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    _defaults(spec)
    used_ips, used_ports = _used(store, rt)
    if spec["type"] != "ExternalName":
        requested = spec.get("clusterIP") or (spec.get("clusterIPs") or [""])[0]
        address = requested or _free_ip(used_ips)
        spec["clusterIP"], spec["clusterIPs"] = address, [address]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        for port in spec.get("ports") or []:
            if isinstance(port, dict) and not port.get("nodePort"):
                port["nodePort"] = _free_port(used_ports)
                used_ports.add(port["nodePort"])
    obj["status"] = {"loadBalancer": {}}


def update_defaults(current: dict[str, Any], new: dict[str, Any]) -> None:
    """An update keeps the allocated cluster IP and families, and node ports by port number."""
    old_spec, spec = current.get("spec") or {}, new.get("spec")
    if not isinstance(spec, dict):
        return
    _defaults(spec)
    if spec.get("type") == "ExternalName":
        return
    for field in _ALLOCATED:
        if field in old_spec and not spec.get(field):
            spec[field] = old_spec[field]
    old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or [] if p.get("nodePort")}
    if spec.get("type") not in ("NodePort", "LoadBalancer"):
        return
    for port in spec.get("ports") or []:
        if isinstance(port, dict) and not port.get("nodePort") and port.get("port") in old_ports:
            port["nodePort"] = old_ports[port["port"]]
