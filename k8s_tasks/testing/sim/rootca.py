"""The root CA certificate publisher (kube-controller-manager's root-ca-cert-publisher): every active
namespace has a ConfigMap ``kube-root-ca.crt`` holding the cluster's CA as ``ca.crt``, which the projected
ServiceAccount volume of every pod mounts (``/var/run/secrets/kubernetes.io/serviceaccount/ca.crt``)."""

from typing import TYPE_CHECKING, Any

from ..errors import AlreadyExists, ApiError
from .informer import Informer, Key, WorkQueue, key_of

if TYPE_CHECKING:
    from ..store import Store

NAME = "kube-root-ca.crt"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters."
)


class RootCAPublisher:
    def __init__(self, store: "Store", namespaces: Informer, ca_pem: str) -> None:
        self.store, self.namespaces, self.ca_pem = store, namespaces, ca_pem
        self.configmaps = store.resource_type("v1", "ConfigMap")
        self.queue = WorkQueue()
        namespaces.handlers.append(self._on_namespace)

    def _on_namespace(self, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        if kind == "ADDED" and self.ca_pem:  # at once, so a pod created next finds it
            self.ensure(key_of(obj))

    async def run(self) -> None:
        await self.queue.run(self.ensure)

    def ensure(self, key: Key) -> None:
        namespace = key[1]
        if self.store.stored_or_none(self.configmaps, namespace, NAME) is not None:
            return
        configmap = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": NAME,
                "annotations": {"kubernetes.io/description": DESCRIPTION},
            },
            "data": {"ca.crt": self.ca_pem},
        }
        try:
            self.store.create(self.configmaps, configmap, namespace, copy=False, check=False)
        except (AlreadyExists, ApiError):  # the namespace is terminating
            return
