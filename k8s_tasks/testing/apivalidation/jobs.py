"""batch/v1 Jobs as ``pkg/apis/batch/validation`` checks them on create: the generated selector and labels,
the counts, the pod template and its restart policy (ValidateJob, validateGeneratedSelector,
ValidateJobSpec)."""

from typing import Any

from .field import FieldError, GoText, go_quote, invalid, not_supported, required
from .meta import label_selector
from .names import is_dns1123_label, max_len_error
from .podspec import pod_template_spec

CONTROLLER_UID, JOB_NAME = "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"
LEGACY_UID, LEGACY_NAME = "controller-uid", "job-name"
NEGATIVE = "must be greater than or equal to 0"
_COUNTS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished")
MAX_INDEXED_PARALLELISM = 100000


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def selector_text(selector: dict[str, Any]) -> GoText:
    """A LabelSelector as %#v prints the one the Job strategy holds."""
    match = _dict(selector.get("matchLabels"))
    labels = ", ".join(f"{go_quote(k)}:{go_quote(str(v))}" for k, v in sorted(match.items()))
    expressions = selector.get("matchExpressions")
    shown = "nil" if not expressions else f"{len(expressions)} requirements"
    return GoText(
        f"v1.LabelSelector{{MatchLabels:map[string]string{{{labels}}}, "
        f"MatchExpressions:[]v1.LabelSelectorRequirement({shown})}}"
    )


def _matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    for key, value in _dict(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for requirement in selector.get("matchExpressions") or []:
        expr = _dict(requirement)
        name, operator, values = str(expr.get("key") or ""), expr.get("operator"), expr.get("values") or []
        if operator == "In" and labels.get(name) not in values:
            return False
        if operator == "NotIn" and name in labels and labels[name] in values:
            return False
        if operator == "Exists" and name not in labels:
            return False
        if operator == "DoesNotExist" and name in labels:
            return False
    return True


def _has_label(template_labels: dict[str, Any], key: str, expected: str) -> list[FieldError]:
    path = f"spec.template.metadata.labels[{key}]"
    if key not in template_labels:
        return [required(path, f"must be '{expected}'")]
    if template_labels[key] != expected:
        return [invalid(path, {k: str(v) for k, v in template_labels.items()}, f"must be '{expected}'")]
    return []


def generated_selector(job: dict[str, Any]) -> list[FieldError]:
    spec = _dict(job.get("spec"))
    selector = spec.get("selector")
    if spec.get("manualSelector") is True or not isinstance(selector, dict):
        return []
    m = job["metadata"]
    uid, name = str(m.get("uid") or ""), str(m.get("name") or "")
    errors = [] if uid else [required("metadata.uid")]
    labels = _dict(_dict(_dict(spec.get("template")).get("metadata")).get("labels"))
    for key, expected in ((LEGACY_UID, uid), (LEGACY_NAME, name), (CONTROLLER_UID, uid), (JOB_NAME, name)):
        errors += _has_label(labels, key, expected)
    expected_labels = {CONTROLLER_UID: uid, JOB_NAME: name, LEGACY_UID: uid, LEGACY_NAME: name}
    if not _matches(selector, expected_labels):
        errors.append(invalid("spec.selector", selector_text(selector), "`selector` not auto-generated"))
    return errors


def job_spec(spec: dict[str, Any], path: str = "spec") -> list[FieldError]:
    """validateJobSpec (the parts a Job of this project can reach) and ValidateJobSpec's selector."""
    errors: list[FieldError] = []
    for key in _COUNTS:
        value = spec.get(key)
        if isinstance(value, int) and value < 0:
            errors.append(invalid(f"{path}.{key}", value, NEGATIVE))
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errors.append(not_supported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed")))
    if mode == "Indexed":
        if spec.get("completions") is None:
            errors.append(required(f"{path}.completions", "when completion mode is Indexed"))
        parallelism = spec.get("parallelism")
        if isinstance(parallelism, int) and parallelism > MAX_INDEXED_PARALLELISM:
            detail = (
                f"must be less than or equal to {MAX_INDEXED_PARALLELISM} when completion mode is Indexed"
            )
            errors.append(invalid(f"{path}.parallelism", parallelism, detail))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None and replacement not in ("Failed", "TerminatingOrFailed"):
        errors.append(
            not_supported(f"{path}.podReplacementPolicy", replacement, ("Failed", "TerminatingOrFailed"))
        )
    template = _dict(spec.get("template"))
    errors += pod_template_spec(template, f"{path}.template")
    restart = _dict(template.get("spec")).get("restartPolicy") or ""
    restart_path = f"{path}.template.spec.restartPolicy"
    if restart in ("Always", ""):
        errors.append(required(restart_path, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errors.append(not_supported(restart_path, restart, ("OnFailure", "Never")))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        detail = 'only "Never" is supported when podFailurePolicy is specified'
        errors.append(invalid(restart_path, restart, detail))
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        errors.append(required(f"{path}.selector"))
    else:
        errors += label_selector(selector, f"{path}.selector")
        template_labels = _dict(_dict(template.get("metadata")).get("labels"))
        if not _matches(selector, template_labels):
            shown = {k: str(v) for k, v in template_labels.items()}
            detail = "`selector` does not match template `labels`"
            errors.append(invalid(f"{path}.template.metadata.labels", shown, detail))
    return errors


def job(obj: dict[str, Any]) -> list[FieldError]:
    """ValidateJob after the object meta: the generated selector, the spec, an Indexed Job's pod names."""
    spec = _dict(obj.get("spec"))
    errors = generated_selector(obj) + job_spec(spec)
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and isinstance(completions, int) and completions > 0:
        name = str(obj["metadata"].get("name") or "")
        hostname = f"{name}-{completions - 1}"
        if is_dns1123_label(hostname):
            detail = f"will not able to create pod with invalid DNS label: {hostname}"
            errors.append(invalid("metadata.name", name, detail))
    return errors


def warnings_on_create(obj: dict[str, Any]) -> list[str]:
    """The Job strategy's WarningsOnCreate for its name."""
    messages = is_dns1123_label(str(obj["metadata"].get("name") or ""))
    if not messages:
        return []
    shown = "[" + " ".join(messages) + "]"
    return [
        "metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; "
        f"a DNS label is recommended: {shown}"
    ]


__all__ = ["job", "max_len_error", "warnings_on_create"]
