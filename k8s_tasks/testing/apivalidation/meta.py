"""ObjectMeta, labels, annotations and label selectors, as apimachinery's ``api/validation/objectmeta.go``
and ``apis/meta/v1/validation`` check them."""

from typing import Any

from .field import FieldError, forbidden, invalid, not_supported, required, too_long
from .names import NameFn, is_label_value, is_qualified_name, name_is_dns_label

TOTAL_ANNOTATION_SIZE = 256 * 1024
_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def label_name(name: str, path: str) -> list[FieldError]:
    return [invalid(path, name, m) for m in is_qualified_name(name)]


def labels(values: Any, path: str) -> list[FieldError]:
    """ValidateLabels: every error is on the map's own path."""
    errors: list[FieldError] = []
    for key, value in _mapping(values).items():
        errors += label_name(key, path)
        errors += [invalid(path, value, m) for m in is_label_value(str(value or ""))]
    return errors


def annotations(values: Any, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    size = 0
    for key, value in _mapping(values).items():
        errors += [invalid(path, key, m) for m in is_qualified_name(key.lower())]
        size += len(key.encode()) + len(str(value or "").encode())
    if size > TOTAL_ANNOTATION_SIZE:
        errors.append(too_long(path, TOTAL_ANNOTATION_SIZE))
    return errors


def label_selector(selector: Any, path: str) -> list[FieldError]:
    if not isinstance(selector, dict):
        return []
    errors = labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        expr = _mapping(expr)
        at = f"{path}.matchExpressions[{i}]"
        operator, values = expr.get("operator") or "", expr.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                errors.append(
                    required(f"{at}.values", "must be specified when `operator` is 'In' or 'NotIn'")
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                errors.append(forbidden(f"{at}.values", detail))
        else:
            errors.append(invalid(f"{at}.operator", operator, "not a valid selector operator"))
        errors += label_name(str(expr.get("key") or ""), f"{at}.key")
        errors += [
            invalid(f"{at}.values[{j}]", v, m) for j, v in enumerate(values) for m in is_label_value(v)
        ]
    return errors


_STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def object_meta(
    m: dict[str, Any], namespaced: bool, name_fn: NameFn, path: str = "metadata"
) -> list[FieldError]:
    """ValidateObjectMeta (core's, with its finalizer-name rule) on an object about to be created."""
    errors: list[FieldError] = []
    generate = str(m.get("generateName") or "")
    if generate:
        errors += [invalid(f"{path}.generateName", generate, msg) for msg in name_fn(generate, True)]
    name = str(m.get("name") or "")
    if not name:
        errors.append(required(f"{path}.name", "name or generateName is required"))
    else:
        errors += [invalid(f"{path}.name", name, msg) for msg in name_fn(name, False)]
    namespace = str(m.get("namespace") or "")
    if namespaced:
        if not namespace:
            errors.append(required(f"{path}.namespace"))
        else:
            errors += [
                invalid(f"{path}.namespace", namespace, msg) for msg in name_is_dns_label(namespace, False)
            ]
    elif namespace:
        errors.append(forbidden(f"{path}.namespace", "not allowed on this type"))
    generation = m.get("generation")
    if isinstance(generation, int) and generation < 0:
        errors.append(invalid(f"{path}.generation", generation, "must be greater than or equal to 0"))
    errors += labels(m.get("labels"), f"{path}.labels")
    errors += annotations(m.get("annotations"), f"{path}.annotations")
    errors += _owner_references(m.get("ownerReferences"), f"{path}.ownerReferences")
    finalizers = [str(f) for f in m.get("finalizers") or []]
    for finalizer in finalizers:
        errors += [invalid(f"{path}.finalizers", finalizer, msg) for msg in is_qualified_name(finalizer)]
    for i, finalizer in enumerate(finalizers):  # core's own rule, after apimachinery's
        if "/" not in finalizer and finalizer not in _STANDARD_FINALIZERS:
            detail = "name is neither a standard finalizer name nor is it fully qualified"
            errors.append(invalid(f"{path}.finalizers[{i}]", finalizer, detail))
    return errors


def _owner_references(refs: Any, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    controllers: list[str] = []
    for ref in refs or []:
        ref = _mapping(ref)
        api_version = str(ref.get("apiVersion") or "")
        if not api_version.rpartition("/")[2]:
            errors.append(invalid(f"{path}.apiVersion", api_version, "version must not be empty"))
        for key in ("kind", "name", "uid"):
            if not ref.get(key):
                errors.append(invalid(f"{path}.{key}", str(ref.get(key) or ""), "must not be empty"))
        if ref.get("controller") is True:
            controllers.append(f"{ref.get('kind')}/{ref.get('name')}")
    if len(controllers) > 1:
        detail = (
            'Only one reference can have Controller set to true. Found "true" in references for '
            f"{controllers[0]} and {controllers[1]}"
        )
        errors.append(invalid(path, "", detail))
    return errors


def template_meta(m: Any, path: str) -> list[FieldError]:
    """The labels and annotations of an embedded template (ValidatePodTemplateSpec's checks)."""
    m = _mapping(m)
    return labels(m.get("labels"), f"{path}.labels") + annotations(
        m.get("annotations"), f"{path}.annotations"
    )


__all__ = ["annotations", "label_name", "label_selector", "labels", "not_supported", "object_meta"]
