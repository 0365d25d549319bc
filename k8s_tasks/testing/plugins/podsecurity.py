"""Pod Security admission (k8s.io/pod-security-admission) for namespaces labelled
``pod-security.kubernetes.io/enforce``: a pod that violates the level is refused with upstream's message,
``pods "NAME" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false
(container "main" must set securityContext.allowPrivilegeEscalation=false), ...``: one entry per failed
check, in the order of upstream's check ids, each with its detail (containers named together).

The checks are the project's own (k8s_tasks.profiles.podsecurity, written from upstream's at the 1.37
policy); this module words their findings as the admission controller does.
"""

import re
from typing import Any

from k8s_tasks.profiles.podsecurity import LEVELS, checks_for
from k8s_tasks.profiles.pss_pod import Pod

from .. import warnings
from .common import Attributes, forbidden

LABEL = "pod-security.kubernetes.io/"
ENFORCE, ENFORCE_VERSION = f"{LABEL}enforce", f"{LABEL}enforce-version"
# the kinds whose pod template pod-security-admission checks (warn and audit only, never enforce)
WORKLOADS = {
    ("", "replicationcontrollers"),
    ("", "podtemplates"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
}
# upstream's check ids by the forbidden reason they give; results are ordered by id
CHECK_IDS = {
    "allowPrivilegeEscalation != false": "allowPrivilegeEscalation",
    "forbidden AppArmor profile": "appArmorProfile",
    "forbidden AppArmor profiles": "appArmorProfile",
    "non-default capabilities": "capabilities_baseline",
    "unrestricted capabilities": "capabilities_restricted",
    "host namespaces": "hostNamespaces",
    "hostPath volumes": "hostPathVolumes",
    "hostPort": "hostPorts",
    "probe or lifecycle host": "hostProbesAndHostLifecycle",
    "privileged": "privileged",
    "procMount": "procMount",
    "restricted volume types": "restrictedVolumes",
    "runAsNonRoot != true": "runAsNonRoot",
    "runAsUser=0": "runAsUser",
    "seLinuxOptions": "seLinuxOptions",
    "seccompProfile": "seccompProfile",
    "forbidden sysctls": "sysctls",
    "hostProcess": "windowsHostProcess",
}
_FINDING = re.compile(r'violates Pod Security "[a-z]+": (?P<reason>[^(]+?)(?: \((?P<detail>.*)\))?$')
_CONTAINER = re.compile(r'^(?P<lead>pod or )?container "(?P<name>[^"]+)" (?P<rest>.*)$')


def _merge(details: list[str], joiner: str) -> str:
    """Details of one check, containers of the same wording named together (``containers "a", "b" ...``)."""
    parts: list[tuple[str, str, list[str]] | str] = []
    for detail in details:
        match = _CONTAINER.match(detail)
        if match is None:
            if detail not in parts:
                parts.append(detail)
            continue
        lead, rest = match["lead"] or "", match["rest"]
        for part in parts:
            if isinstance(part, tuple) and part[0] == lead and part[1] == rest:
                if match["name"] not in part[2]:
                    part[2].append(match["name"])
                break
        else:
            parts.append((lead, rest, [match["name"]]))
    words = []
    for part in parts:
        if isinstance(part, str):
            words.append(part)
        else:
            lead, rest, names = part
            noun = "container" if len(names) == 1 else "containers"
            words.append(f"{lead}{noun} {', '.join(f'{chr(34)}{n}{chr(34)}' for n in names)} {rest}")
    return joiner.join(words)


def violations(pod: dict[str, Any], level: str) -> str:
    """The ``reason (detail), ...`` text of every failed check, or "" if the pod meets the level."""
    found: dict[str, list[str]] = {}
    subject = Pod({"metadata": pod.get("metadata") or {}, "spec": pod["spec"]}, None, level)
    problems = [problem for check in checks_for(level) for problem in check(subject)]
    for problem in problems:
        match = _FINDING.search(problem.reason)
        if match is None:
            continue
        found.setdefault(match["reason"], [])
        if match["detail"]:
            found[match["reason"]].append(match["detail"])
    ordered = sorted(found.items(), key=lambda item: CHECK_IDS.get(item[0], item[0]))
    texts = []
    for reason, details in ordered:
        detail = _merge(details, ", " if reason == "host namespaces" else "; ")
        texts.append(f"{reason} ({detail})" if detail else reason)
    return ", ".join(texts)


def _policy(labels: dict[str, str], mode: str) -> str | None:
    level = labels.get(f"{LABEL}{mode}")
    if level not in LEVELS or level == "privileged":
        return None
    return f"{level}:{labels.get(f'{LABEL}{mode}-version') or 'latest'}"


def template_of(rt_key: tuple[str, str], obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = obj.get("spec") or {}
    if rt_key == ("batch", "cronjobs"):
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = obj.get("template") if rt_key == ("", "podtemplates") else spec.get("template")
    return template if isinstance(template, dict) and isinstance(template.get("spec"), dict) else None


def validate(a: Attributes, obj: dict[str, Any]) -> None:
    """Enforce on pods; warn (``would violate PodSecurity ...``) for the warn label, and for the enforce
    label on the pod template of a workload, as pod-security-admission does."""
    namespace = a.store.stored_or_none(a.store.resource_type("v1", "Namespace"), None, a.namespace)
    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    enforce, warn_policy = _policy(labels, "enforce"), _policy(labels, "warn")
    if enforce is None and warn_policy is None:
        return
    pod = obj if a.rt.key == ("", "pods") else template_of(a.rt.key, obj) if a.rt.key in WORKLOADS else None
    if pod is None:
        return
    found: dict[str, str] = {}
    for policy in dict.fromkeys(p for p in (enforce, warn_policy) if p is not None):
        found[policy] = violations(pod, policy.split(":")[0])
    if pod is obj and enforce is not None and found[enforce]:
        raise forbidden(
            a, f'violates PodSecurity "{enforce}": {found[enforce]}', name=obj["metadata"]["name"]
        )
    for policy, text in found.items():
        if text and (policy == warn_policy or pod is not obj):
            warnings.warn(f'would violate PodSecurity "{policy}": {text}')
