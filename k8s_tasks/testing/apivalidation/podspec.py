"""PodSpec and PodTemplateSpec as core validation checks them (ValidatePodSpec, ValidatePodTemplateSpec):
volumes, containers, restart and DNS policies, node selection and affinity, tolerations, the pod
securityContext, and the scheduling fields (serviceAccountName, priorityClassName, runtimeClassName, ...)."""

from typing import Any

from . import containers
from .field import FieldError, duplicate, forbidden, invalid, not_supported, required
from .meta import label_name, labels, template_meta
from .names import inclusive_range_error, is_dns1123_label, is_label_value, is_valid_id, name_is_dns_subdomain
from .security import seccomp_profile
from .volumes import volumes as validate_volumes

RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
MAX_INT32 = 2**31 - 1


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def tolerations(values: Any, path: str) -> list[FieldError]:
    """ValidateTolerations."""
    errors: list[FieldError] = []
    for i, t in enumerate(values or []):
        t, at = _dict(t), f"{path}[{i}]"
        key, operator = str(t.get("key") or ""), str(t.get("operator") or "")
        value, effect = str(t.get("value") or ""), str(t.get("effect") or "")
        if key:
            errors += label_name(key, f"{at}.key")
        if not key and operator != "Exists":
            detail = (
                'operator must be Exists when `key` is empty, which means "match all values and all keys"'
            )
            errors.append(invalid(f"{at}.operator", operator, detail))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errors.append(
                invalid(f"{at}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set")
            )
        if operator in ("Equal", ""):
            messages = is_label_value(value)
            if messages:
                errors.append(invalid(f"{at}.operator", value, ";".join(messages)))
        elif operator == "Exists":
            if value:
                errors.append(
                    invalid(f"{at}.operator", value, "value must be empty when `operator` is 'Exists'")
                )
        else:
            errors.append(not_supported(f"{at}.operator", operator, ("Equal", "Exists")))
        if effect and effect not in _TAINT_EFFECTS:
            errors.append(not_supported(f"{at}.effect", effect, _TAINT_EFFECTS))
    return errors


def _node_requirement(r: dict[str, Any], path: str, check_values: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    operator, values = r.get("operator") or "", r.get("values") or []
    if operator in ("In", "NotIn") and not values:
        errors.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist") and values:
        detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        errors.append(forbidden(f"{path}.values", detail))
    elif operator in ("Gt", "Lt") and len(values) != 1:
        detail = "must be specified single value when `operator` is 'Lt' or 'Gt'"
        errors.append(required(f"{path}.values", detail))
    elif operator not in _NODE_OPERATORS:
        errors.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    errors += label_name(str(r.get("key") or ""), f"{path}.key")
    if check_values:
        errors += [
            invalid(f"{path}.values[{j}]", v, m) for j, v in enumerate(values) for m in is_label_value(v)
        ]
    return errors


def _node_term(term: Any, path: str, check_values: bool) -> list[FieldError]:
    term = _dict(term)
    errors: list[FieldError] = []
    for j, r in enumerate(term.get("matchExpressions") or []):
        errors += _node_requirement(_dict(r), f"{path}.matchExpressions[{j}]", check_values)
    for j, r in enumerate(term.get("matchFields") or []):
        r, at = _dict(r), f"{path}.matchFields[{j}]"
        if r.get("operator") in ("In", "NotIn"):
            if len(r.get("values") or []) != 1:
                detail = "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
                errors.append(required(f"{at}.values", detail))
        else:
            errors.append(invalid(f"{at}.operator", r.get("operator") or "", "not a valid selector operator"))
        if r.get("key") != "metadata.name":
            errors.append(invalid(f"{at}.key", r.get("key") or "", "not a valid field selector key"))
    return errors


def _pod_affinity_terms(terms: Any, path: str, weighted: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for j, term in enumerate(terms or []):
        term, at = _dict(term), f"{path}[{j}]"
        if weighted:
            weight = term.get("weight", 0)
            if not 0 < weight <= 100:
                errors.append(invalid(f"{at}.weight", weight, "must be in the range 1-100"))
            term, at = _dict(term.get("podAffinityTerm")), f"{at}.podAffinityTerm"
        topology = str(term.get("topologyKey") or "")
        if not topology:
            errors.append(required(f"{at}.topologyKey", "can not be empty"))
        errors += label_name(topology, f"{at}.topologyKey")
    return errors


def affinity(value: Any, path: str) -> list[FieldError]:
    value = _dict(value)
    errors: list[FieldError] = []
    node = value.get("nodeAffinity")
    if isinstance(node, dict):
        at = f"{path}.nodeAffinity"
        hard = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(hard, dict):
            terms_path = f"{at}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            terms = hard.get("nodeSelectorTerms") or []
            if not terms:
                errors.append(required(terms_path, "must have at least one node selector term"))
            for i, term in enumerate(terms):
                errors += _node_term(term, f"{terms_path}[{i}]", check_values=True)
        for i, soft in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
            soft, soft_path = _dict(soft), f"{at}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            weight = soft.get("weight", 0)
            if not 0 < weight <= 100:
                errors.append(invalid(f"{soft_path}.weight", weight, "must be in the range 1-100"))
            errors += _node_term(soft.get("preference"), f"{soft_path}.preference", check_values=False)
    for kind in ("podAffinity", "podAntiAffinity"):
        pod = value.get(kind)
        if isinstance(pod, dict):
            for rule, weighted in (("required", False), ("preferred", True)):
                field = f"{rule}DuringSchedulingIgnoredDuringExecution"
                errors += _pod_affinity_terms(pod.get(field), f"{path}.{kind}.{field}", weighted)
    return errors


def pod_security_context(sc: Any, path: str) -> list[FieldError]:
    if not isinstance(sc, dict):
        return []
    errors: list[FieldError] = []
    for key in ("fsGroup", "runAsUser", "runAsGroup"):
        if isinstance(sc.get(key), int):
            errors += [invalid(f"{path}.{key}", sc[key], m) for m in is_valid_id(sc[key])]
    for g, gid in enumerate(sc.get("supplementalGroups") or []):
        errors += [invalid(f"{path}.supplementalGroups[{g}]", gid, m) for m in is_valid_id(int(gid))]
    policy = sc.get("fsGroupChangePolicy")
    if policy is not None and policy not in ("Always", "OnRootMismatch"):
        errors.append(not_supported(f"{path}.fsGroupChangePolicy", policy, ("Always", "OnRootMismatch")))
    errors += seccomp_profile(sc.get("seccompProfile"), f"{path}.seccompProfile")
    return errors


def pod_spec(spec: Any, path: str) -> list[FieldError]:
    """ValidatePodSpec, in upstream's order."""
    spec = _dict(spec)
    errors: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errors.append(required(f"{path}.terminationGracePeriodSeconds"))
    sc = _dict(spec.get("securityContext"))
    host_users = sc.get("hostUsers") is not False
    volumes, volume_errors = validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errors += volume_errors
    errors += containers.containers(spec.get("containers"), volumes, f"{path}.containers", host_users)
    errors += containers.init_containers(
        spec.get("initContainers"), spec.get("containers"), volumes, f"{path}.initContainers", host_users
    )
    restart = spec.get("restartPolicy") or ""
    if not restart:
        errors.append(required(f"{path}.restartPolicy"))
    elif restart not in RESTART_POLICIES:
        errors.append(not_supported(f"{path}.restartPolicy", restart, RESTART_POLICIES))
    dns = spec.get("dnsPolicy") or ""
    if not dns:
        errors.append(required(f"{path}.dnsPolicy"))
    elif dns not in _DNS_POLICIES:
        errors.append(not_supported(f"{path}.dnsPolicy", dns, _DNS_POLICIES))
    errors += labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    errors += pod_security_context(spec.get("securityContext"), f"{path}.securityContext")
    for i, secret in enumerate(spec.get("imagePullSecrets") or []):
        if set(_dict(secret)) - {"name"}:
            errors.append(invalid(f"{path}.imagePullSecrets[{i}]", str(secret), "only name may be set"))
    errors += affinity(spec.get("affinity"), f"{path}.affinity")
    names: set[str] = set()
    for i, gate in enumerate(spec.get("schedulingGates") or []):
        name = str(_dict(gate).get("name") or "")
        errors += label_name(name, f"{path}.schedulingGates[{i}]")
        if name in names:
            errors.append(duplicate(f"{path}.schedulingGates[{i}]", name))
        names.add(name)
    for key, name_fn in (("serviceAccountName", name_is_dns_subdomain), ("nodeName", name_is_dns_subdomain)):
        value = str(spec.get(key) or "")
        if value:
            errors += [invalid(f"{path}.{key}", value, m) for m in name_fn(value, False)]
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not 1 <= deadline <= MAX_INT32:
        errors.append(invalid(f"{path}.activeDeadlineSeconds", deadline, inclusive_range_error(1, MAX_INT32)))
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errors += [invalid(f"{path}.{key}", spec[key], m) for m in is_dns1123_label(str(spec[key]))]
    errors += tolerations(spec.get("tolerations"), f"{path}.tolerations")
    for key in ("priorityClassName", "runtimeClassName"):
        value = spec.get(key)
        if value or (key == "runtimeClassName" and value is not None):
            errors += [invalid(f"{path}.{key}", value, m) for m in name_is_dns_subdomain(str(value), False)]
    preemption = spec.get("preemptionPolicy")
    if preemption is not None and preemption not in ("PreemptLowerPriority", "Never"):
        errors.append(
            not_supported(f"{path}.preemptionPolicy", preemption, ("PreemptLowerPriority", "Never"))
        )
    os_name = _dict(spec.get("os")).get("name") if spec.get("os") is not None else None
    if spec.get("os") is not None and not os_name:
        errors.append(required(f"{path}.os.name", "cannot be empty"))
    elif os_name is not None and os_name not in ("linux", "windows"):
        errors.append(not_supported(f"{path}.os", os_name, ("linux", "windows")))
    return errors


def pod_template_spec(template: Any, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpec: note that the template's labels are reported at ``<path>.labels``."""
    template = _dict(template)
    meta = _dict(template.get("metadata"))
    errors = labels(meta.get("labels"), f"{path}.labels")
    errors += template_meta({"annotations": meta.get("annotations")}, path)
    errors += pod_spec(template.get("spec"), f"{path}.spec")
    if _dict(template.get("spec")).get("ephemeralContainers"):
        detail = "ephemeral containers not allowed in pod template"
        errors.append(forbidden(f"{path}.spec.ephemeralContainers", detail))
    return errors
