"""What the NetworkPolicies of a pod's namespace ask of its network, as the kubelet here can enforce it.

A policy selects a pod by its podSelector (empty: every pod of the namespace) and governs egress when its
policyTypes include Egress (unset policyTypes: Ingress, plus Egress if it has egress rules, as the API
server defaults them). A pod's allowed egress is the union of the egress rules of every such policy.

- No policy governs the pod's egress: it runs on the host network, as before.
- Every policy that does has no egress rule (deny all): the pod gets a network namespace of its own with
  only a loopback that is down, so nothing reaches in or out (its ingress is then denied too).
- Some policy allows some egress: this cluster has no CNI to enforce rules, so the pod runs on the host
  network and the kubelet records a Warning event saying so.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..selectors import labels_match, selector_from_match

if TYPE_CHECKING:
    from ..store import Store

OPEN, DENY_ALL, UNENFORCED = "open", "deny-all", "unenforced"


@dataclass(frozen=True)
class Egress:
    verdict: str  # OPEN, DENY_ALL or UNENFORCED
    policies: tuple[str, ...] = ()  # DENY_ALL: the policies that isolate; UNENFORCED: those that allow some

    def warning(self, namespace: str) -> str:
        names = ", ".join(f"{namespace}/{name}" for name in self.policies)
        return (
            f"NetworkPolicy {names} allows some egress, which this local cluster cannot enforce (it has no "
            "CNI; only a policy that denies all egress is enforced, by a network namespace of the pod's "
            "own): the pod runs on the host network"
        )


def policy_types(policy: dict[str, Any]) -> list[str]:
    spec = policy.get("spec") or {}
    types = list(spec.get("policyTypes") or [])
    if not types:
        types = ["Ingress", *(["Egress"] if spec.get("egress") else [])]
    return types


def selects(policy: dict[str, Any], pod: dict[str, Any]) -> bool:
    return labels_match(selector_from_match((policy.get("spec") or {}).get("podSelector")), pod)


def egress_of(store: "Store", pod: dict[str, Any]) -> Egress:
    namespace = pod["metadata"].get("namespace") or "default"
    rt = store.resource_type("networking.k8s.io/v1", "NetworkPolicy")
    policies, _ = store.list(rt, namespace, copy=False)
    governing = [p for p in policies if "Egress" in policy_types(p) and selects(p, pod)]
    if not governing:
        return Egress(OPEN)
    allowing = tuple(sorted(p["metadata"]["name"] for p in governing if (p.get("spec") or {}).get("egress")))
    if allowing:
        return Egress(UNENFORCED, allowing)
    return Egress(DENY_ALL, tuple(sorted(p["metadata"]["name"] for p in governing)))
