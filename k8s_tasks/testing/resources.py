"""Resource types: the built-in kinds the local cluster serves, and how to describe a custom one."""

from dataclasses import dataclass, field
from typing import Any

from .objects import now_iso


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: frozenset[str] = frozenset()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()  # () = every verb; ("create",) for the reviews, which are never stored
    # For custom resources: the CRD version's openAPIV3Schema and additionalPrinterColumns.
    schema: Any = field(default=None, compare=False, hash=False, repr=False)
    printer_columns: tuple[Any, ...] = field(default=(), compare=False, hash=False, repr=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the stored collection: (group, plural); all versions of a kind share storage."""
        return (self.group, self.plural)

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def is_custom(self) -> bool:
        return self.schema is not None


def _rt(
    api_version: str,
    kind: str,
    plural: str,
    namespaced: bool,
    short: tuple[str, ...] = (),
    sub: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    verbs: tuple[str, ...] = (),
) -> ResourceType:
    group, _, version = api_version.rpartition("/")
    return ResourceType(
        group, version, kind, plural, kind.lower(), namespaced, short, frozenset(sub), categories, verbs
    )


CREATE_ONLY = ("create",)


BUILTINS: tuple[ResourceType, ...] = (
    _rt("v1", "Namespace", "namespaces", False, ("ns",), ("status",)),
    _rt("v1", "Pod", "pods", True, ("po",), ("status", "log", "eviction", "binding"), ("all",)),
    _rt("v1", "Event", "events", True, ("ev",)),
    _rt("v1", "Node", "nodes", False, ("no",), ("status",)),
    _rt("v1", "ConfigMap", "configmaps", True, ("cm",)),
    _rt("v1", "Secret", "secrets", True),
    _rt("v1", "ServiceAccount", "serviceaccounts", True, ("sa",), ("token",)),
    _rt("batch/v1", "Job", "jobs", True, (), ("status",), ("all",)),
    _rt("batch/v1", "CronJob", "cronjobs", True, ("cj",), ("status",), ("all",)),
    _rt("v1", "Service", "services", True, ("svc",), ("status",), ("all",)),
    _rt("v1", "Endpoints", "endpoints", True, ("ep",)),
    _rt("v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), ("status",)),
    _rt("v1", "ResourceQuota", "resourcequotas", True, ("quota",), ("status",)),
    _rt("v1", "LimitRange", "limitranges", True, ("limits",)),
    _rt("v1", "PodTemplate", "podtemplates", True),
    _rt("apps/v1", "Deployment", "deployments", True, ("deploy",), ("status", "scale"), ("all",)),
    _rt("apps/v1", "ReplicaSet", "replicasets", True, ("rs",), ("status", "scale"), ("all",)),
    _rt("apps/v1", "StatefulSet", "statefulsets", True, ("sts",), ("status", "scale"), ("all",)),
    _rt("apps/v1", "DaemonSet", "daemonsets", True, ("ds",), ("status",), ("all",)),
    _rt("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", False, ("pc",)),
    _rt("node.k8s.io/v1", "RuntimeClass", "runtimeclasses", False),
    _rt("events.k8s.io/v1", "Event", "events", True, ("ev",)),
    _rt("coordination.k8s.io/v1", "Lease", "leases", True),
    _rt("rbac.authorization.k8s.io/v1", "Role", "roles", True),
    _rt("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", True),
    _rt("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", False),
    _rt("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _rt("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", True, ("netpol",)),
    _rt("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",), ("status",)),
    _rt("authentication.k8s.io/v1", "TokenReview", "tokenreviews", False, verbs=CREATE_ONLY),
    _rt("authentication.k8s.io/v1", "SelfSubjectReview", "selfsubjectreviews", False, verbs=CREATE_ONLY),
    _rt("authorization.k8s.io/v1", "SubjectAccessReview", "subjectaccessreviews", False, verbs=CREATE_ONLY),
    _rt(
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        False,
        verbs=CREATE_ONLY,
    ),
    _rt(
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        False,
        verbs=CREATE_ONLY,
    ),
    _rt(
        "authorization.k8s.io/v1",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        True,
        verbs=CREATE_ONLY,
    ),
    _rt(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        False,
        ("crd", "crds"),
        ("status",),
    ),
)

# kopf's peering resources are themselves CRDs; the cluster serves them as if their CRDs were installed.
KOPF_PEERING_SCHEMA = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
KOPF_PEERINGS: tuple[ResourceType, ...] = (
    ResourceType(
        "kopf.dev", "v1", "KopfPeering", "kopfpeerings", "kopfpeering", True, schema=KOPF_PEERING_SCHEMA
    ),
    ResourceType(
        "kopf.dev",
        "v1",
        "ClusterKopfPeering",
        "clusterkopfpeerings",
        "clusterkopfpeering",
        False,
        schema=KOPF_PEERING_SCHEMA,
    ),
)


def from_crd(crd: dict[str, Any]) -> list[ResourceType]:
    """One ResourceType per served version of a CustomResourceDefinition."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    kind = names.get("kind", "")
    types = []
    for version in spec.get("versions") or []:
        if not version.get("served", True):
            continue
        subresources = frozenset((version.get("subresources") or {}).keys())
        schema = (version.get("schema") or {}).get("openAPIV3Schema") or {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
        }
        types.append(
            ResourceType(
                group=spec.get("group", ""),
                version=version["name"],
                kind=kind,
                plural=names.get("plural", ""),
                singular=names.get("singular") or kind.lower(),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                subresources=subresources,
                categories=tuple(names.get("categories") or ()),
                schema=schema,
                printer_columns=tuple(version.get("additionalPrinterColumns") or ()),
            )
        )
    return types


def crd_status(crd: dict[str, Any]) -> dict[str, Any]:
    """The status kube-apiserver gives an accepted CRD: NamesAccepted and Established."""
    now = now_iso()
    names = (crd.get("spec") or {}).get("names") or {}
    conditions = [
        {"type": t, "status": "True", "lastTransitionTime": now, "reason": r, "message": m}
        for t, r, m in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    versions = [v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")]
    return {"acceptedNames": names, "conditions": conditions, "storedVersions": versions}
