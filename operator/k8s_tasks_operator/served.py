"""Which TASKS backends this operator serves, on which databases, in which namespace (after django.setup).

Every alias whose BACKEND is KubernetesBackend (or the ones named with --backend) is served, each on its
own OPTIONS["DATABASE"]. The namespace is --namespace or K8S_TASKS_NAMESPACE if given, else the backends'
OPTIONS["NAMESPACE"] (they must agree), else POD_NAMESPACE, else "default".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from k8s_tasks.conf import BACKEND_PATH, get_options, kubernetes_aliases

from .config import OperatorConfig

EXPLICIT = ("--namespace", "K8S_TASKS_NAMESPACE")


@dataclass(frozen=True)
class Served:
    backends: dict[str, str]
    """TASKS alias -> database alias, for the aliases this operator serves."""
    all_backends: dict[str, str]
    """Every KubernetesBackend alias of the settings -> its database (to find the row of any Job)."""

    @property
    def databases(self) -> list[str]:
        """The databases of the served backends, in TASKS order, each once."""
        return list(dict.fromkeys(self.backends.values()))

    def database_of(self, backend: str) -> str:
        """The database holding rows of `backend` ("" or unknown: the first served database)."""
        return self.all_backends.get(backend) or self.databases[0]


def resolve(config: OperatorConfig) -> tuple[OperatorConfig, Served]:
    """The served backends and the final namespace; ImproperlyConfigured says what to fix."""
    known = kubernetes_aliases()
    if not known:
        raise ImproperlyConfigured(
            f"settings.TASKS has no backend using {BACKEND_PATH}: the operator has nothing to serve; "
            f"add one, e.g. TASKS = {{'default': {{'BACKEND': {BACKEND_PATH!r}, 'QUEUES': [...]}}}}"
        )
    wanted = list(config.backends) or known
    unknown = [alias for alias in wanted if alias not in known]
    if unknown:
        raise ImproperlyConfigured(
            f"--backend / K8S_TASKS_BACKENDS names {', '.join(map(repr, unknown))}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not a KubernetesBackend alias in settings.TASKS; "
            f"the aliases are: {', '.join(known)}"
        )
    all_backends = {alias: get_options(alias).database for alias in known}
    served = Served({alias: all_backends[alias] for alias in wanted}, all_backends)
    if config.namespace_source in EXPLICIT:
        return config, served
    tasks: dict[str, Any] = settings.TASKS
    options = {alias: tasks[alias].get("OPTIONS") or {} for alias in wanted}
    chosen = {alias: options[alias]["NAMESPACE"] for alias in wanted if "NAMESPACE" in options[alias]}
    namespaces = set(chosen.values())
    if len(namespaces) > 1:
        listed = ", ".join(f"{alias}: {ns!r}" for alias, ns in chosen.items())
        raise ImproperlyConfigured(
            f"the served backends name different namespaces in OPTIONS['NAMESPACE'] ({listed}); one operator "
            "serves one namespace: run one per namespace with --backend ALIAS, or give --namespace"
        )
    if namespaces:
        namespace = namespaces.pop()
        return dataclasses.replace(config, namespace=namespace, namespace_source="OPTIONS"), served
    return config, served
