"""The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go): a pod runs as
``default`` unless it names a ServiceAccount, which must exist (else ``error looking up service account
NS/NAME: serviceaccount "NAME" not found``), and unless automountServiceAccountToken is false (on the pod,
else on its ServiceAccount) it gets the projected ``kube-api-access-<suffix>`` volume (a bound token, the
cluster's CA from ``kube-root-ca.crt`` and the namespace), mounted read-only at
``/var/run/secrets/kubernetes.io/serviceaccount`` in every container."""

from typing import Any

from ..admission import generate_suffix
from .common import Attributes, forbidden

DEFAULT = "default"
MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_EXPIRATION_SECONDS = 3607  # upstream's warn-after-3600 bound token


def projected_volume(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "projected": {
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {
                    "downwardAPI": {
                        "items": [
                            {
                                "path": "namespace",
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                            }
                        ]
                    }
                },
            ],
            "defaultMode": 420,
        },
    }


def _mounts_token(container: dict[str, Any]) -> bool:
    return any(
        m.get("mountPath") == MOUNT_PATH for m in container.get("volumeMounts") or [] if isinstance(m, dict)
    )


def admit(a: Attributes, pod: dict[str, Any]) -> None:
    spec = pod["spec"]
    annotations = pod["metadata"].get("annotations") or {}
    if "kubernetes.io/config.mirror" in annotations:
        return
    name = spec.get("serviceAccountName") or spec.get("serviceAccount") or DEFAULT
    spec["serviceAccountName"] = spec["serviceAccount"] = name
    account = a.store.stored_or_none(a.store.resource_type("v1", "ServiceAccount"), a.namespace, name)
    if account is None:
        raise forbidden(
            a, f'error looking up service account {a.namespace}/{name}: serviceaccount "{name}" not found'
        )
    automount = spec.get("automountServiceAccountToken")
    if automount is None:
        automount = account.get("automountServiceAccountToken")
    if automount is False:
        return
    containers = [
        c
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
        if isinstance(c, dict)
    ]
    if any(_mounts_token(c) for c in containers):
        return
    volume = f"kube-api-access-{generate_suffix()}"
    spec["volumes"] = [*(spec.get("volumes") or []), projected_volume(volume)]
    for container in containers:
        mount = {"name": volume, "readOnly": True, "mountPath": MOUNT_PATH}
        container["volumeMounts"] = [*(container.get("volumeMounts") or []), mount]
