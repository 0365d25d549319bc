"""The final pod of a queue against the Pod Security Standards: "restricted", "baseline" or "privileged".

Every control of the Pod Security admission checks of Kubernetes (k8s.io/pod-security-admission,
policy/check_*.go), at the policy version of Kubernetes 1.37 ("latest"), written again here from their
fields, allowed values and messages, so that a TaskQueue whose pods a namespace enforcing that level
would refuse is Valid=False before any Job exists. As upstream:

- containers are init containers, containers and ephemeral containers;
- a container inherits runAsNonRoot and seccompProfile from the pod unless it sets its own;
- "restricted" is every "baseline" control plus its own, where capabilities, seccompProfile, procMount
  and the volume types replace their baseline counterparts (hostPath is then a restricted volume type);
- pods with ``spec.os.name: windows`` skip the Linux-only restricted controls (capabilities,
  seccompProfile, allowPrivilegeEscalation), and pods in a user namespace (``hostUsers: false``) skip
  runAsNonRoot and runAsUser, and the baseline procMount control (not the restricted one);
- "privileged" checks nothing.

Each violation is a FieldProblem naming the TaskQueue field that caused it (see podpaths.origin).
"""

from collections.abc import Mapping
from typing import Any

from .errors import FieldProblem
from .pss_baseline import BASELINE
from .pss_pod import Check, Pod
from .pss_restricted import OVERRIDDEN, RESTRICTED

LEVELS = ("restricted", "baseline", "privileged")
DEFAULT_LEVEL = "restricted"


def validate_level(level: object) -> str:
    """``level`` if it is a Pod Security level; ValueError naming the allowed values otherwise."""
    if not isinstance(level, str) or level not in LEVELS:
        raise ValueError(
            f"Pod Security level {level!r} is not one of 'restricted', 'baseline' or 'privileged'"
        )
    return level


def checks_for(level: str) -> tuple[Check, ...]:
    if validate_level(level) == "privileged":
        return ()
    if level == "baseline":
        return BASELINE
    return (*(check for check in BASELINE if check not in OVERRIDDEN), *RESTRICTED)


def check_pod_security(
    template: Mapping[str, Any], pod_template: Mapping[str, Any] | None, level: str = DEFAULT_LEVEL
) -> list[FieldProblem]:
    """Every violation of Pod Security ``level`` by the final pod ``template`` (metadata and spec), each
    naming the TaskQueue field of ``pod_template`` that caused it."""
    pod = Pod(template, pod_template, validate_level(level))
    problems: dict[tuple[str, str], FieldProblem] = {}
    for check in checks_for(level):
        for problem in check(pod):
            # One problem per field and rule: e.g. a pod securityContext set to null leaves every
            # container without a seccomp profile, which is one thing to fix.
            problems.setdefault((problem.field, problem.reason.split(" (")[0]), problem)
    return list(problems.values())
