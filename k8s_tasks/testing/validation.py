"""Validation of objects against the Kubernetes 1.37 OpenAPI schemas shipped by kubernetes-validate,
and of custom resources against their CRD's openAPIV3Schema. Compiled validators are cached per kind.
"""

import functools
import json
import re
from importlib import resources
from typing import Any

import jsonschema

from .apivalidation import field
from .apivalidation.field import FieldError, GoText, to_invalid
from .apivalidation.kinds import has_port, validate_create, warnings_on_create
from .apivalidation.meta import object_meta
from .apivalidation.names import name_is_dns_subdomain
from .errors import BadRequest, Invalid
from .resources import ResourceType
from .schemacheck import Compiler, Decoded, Path, display
from .warnings import warn

KUBERNETES_VERSION = "1.37.0"
WARN, STRICT, IGNORE = "Warn", "Strict", "Ignore"


@functools.cache
def definitions(strict: bool = False) -> dict[str, Any]:
    """The whole ``_definitions.json`` document (``$defs`` holds every type), loaded once."""
    folder = f"v{KUBERNETES_VERSION}-local" + ("-strict" if strict else "")
    path = resources.files("kubernetes_validate").joinpath(
        "kubernetes-json-schema", folder, "_definitions.json"
    )
    return dict(json.loads(path.read_text()))


@functools.cache
def _gvk_index() -> dict[tuple[str, str, str], str]:
    index = {}
    for name, schema in definitions()["$defs"].items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            index[(gvk.get("group", ""), gvk["version"], gvk["kind"])] = name
    return index


def definition_name(rt: ResourceType) -> str | None:
    """The OpenAPI definition of a built-in kind, e.g. ``io.k8s.api.batch.v1.Job``; None if unknown."""
    return _gvk_index().get((rt.group, rt.version, rt.kind))


@functools.cache
def _compiler() -> Compiler:
    return Compiler(definitions(strict=True)["$defs"])


def _cannot_handle(rt: ResourceType, error: str) -> BadRequest:
    """transformDecodeError's wording."""
    return BadRequest(f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {error}')


def decode(rt: ResourceType, obj: dict[str, Any], field_validation: str = WARN) -> list[Path]:
    """What decoding a request body into a built-in kind refuses (400, worded as kube-apiserver words it),
    and its unknown fields: refused under Strict, warned about under Warn, dropped either way. Returns the
    required fields the body lacks (for kinds that have no validation of their own)."""
    def_name = definition_name(rt)
    if rt.is_custom or def_name is None:
        return []
    decoded = Decoded()
    _compiler().definition(def_name)(obj, (), decoded)
    if decoded.error:
        raise _cannot_handle(rt, decoded.error)
    if decoded.unknown:
        texts = [f'unknown field "{display(path)}"' for _, _, path in decoded.unknown]
        if field_validation == STRICT:
            raise _cannot_handle(rt, "strict decoding error: " + ", ".join(texts))
        if field_validation != IGNORE:
            for text in texts:
                warn(text)
        for holder, key, _ in decoded.unknown:
            holder.pop(key, None)
    return decoded.missing


def _custom_errors(schema: dict[str, Any], obj: dict[str, Any]) -> list[FieldError]:
    cached = _crd_validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, jsonschema.Draft202012Validator(schema))
        _crd_validators[id(schema)] = cached
    errors: list[FieldError] = []
    for error in cached[1].iter_errors(obj):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            match = _REQUIRED_RE.match(error.message)
            errors.append(field.required(display((*path, match.group(1) if match else "?"))))
        elif error.validator == "enum":
            errors.append(
                field.not_supported(display(path), error.instance, [str(v) for v in error.validator_value])
            )
        else:
            at = display(path)
            errors.append(field.invalid(at, error.instance, f"{at} in body {error.message}"))
    return errors


_crd_validators: dict[int, tuple[Any, jsonschema.Draft202012Validator]] = {}
_REQUIRED_RE = re.compile(r"^'([^']+)' is a required property")


def validate(
    rt: ResourceType, obj: dict[str, Any], missing: list[Path] | None = None, *, creating: bool = True
) -> None:
    """The kind's own validation of an object about to be stored: 422 naming every bad field, worded as
    kube-apiserver words it (``Job.batch "x" is invalid: [a: ..., b: ...]``)."""
    if rt.is_custom:
        errors = object_meta(obj["metadata"], rt.namespaced, name_is_dns_subdomain)
        errors += _custom_errors(rt.schema, obj)
    else:
        errors = validate_create(rt, obj)
        if not has_port(rt):
            errors += [field.required(display(path)) for path in missing or () if _still_missing(obj, path)]
    if errors:
        name = obj["metadata"].get("name") or obj["metadata"].get("generateName") or ""
        raise to_invalid(rt.kind, rt.group, str(name), errors)
    for text in warnings_on_create(rt, obj) if creating else ():
        warn(text)


def _still_missing(obj: Any, path: Path) -> bool:
    for part in path:
        found = (isinstance(obj, dict) and isinstance(part, str) and part in obj) or (
            isinstance(obj, list) and isinstance(part, int) and part < len(obj)
        )
        if not found:
            return True
        obj = obj[part]
    return False


def prune(value: Any, schema: dict[str, Any] | None, *, root: bool = False) -> Any:
    """Drop fields a structural CRD schema does not declare, as kube-apiserver does."""
    if not isinstance(schema, dict) or schema.get("x-kubernetes-preserve-unknown-fields"):
        return value
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if props is None and extra is None:
            return value if schema.get("type") != "object" or root else {}
        result = {}
        for key, item in value.items():
            if root and key in ("apiVersion", "kind", "metadata"):
                result[key] = item
            elif props is not None and key in props:
                result[key] = prune(item, props[key])
            elif isinstance(extra, dict):
                result[key] = prune(item, extra)
            elif extra is True:
                result[key] = item
        return result
    if isinstance(value, list):
        return [prune(item, schema.get("items")) for item in value]
    return value


__all__ = ["Invalid", "decode", "definition_name", "definitions", "prune", "validate"]


_POD_MUTABLE = ("activeDeadlineSeconds", "tolerations", "schedulingGates", "terminationGracePeriodSeconds")


def _pod_spec_core(spec: dict[str, Any]) -> dict[str, Any]:
    """The part of a pod spec an update may not change (images and a few fields may change)."""
    core = {k: v for k, v in spec.items() if k not in _POD_MUTABLE}
    core["containers"] = [{k: v for k, v in c.items() if k != "image"} for c in spec.get("containers") or []]
    return core


def validate_update(rt: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
    """The kind's validation of an update: what a new object must be, and the immutability rules clients
    most often run into (422 "field is immutable")."""
    validate(rt, new, creating=False)
    errors: list[FieldError] = []
    if rt.group == "batch" and rt.kind == "Job":
        old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
        for name, shown in (("template", "core.PodTemplateSpec"), ("selector", "v1.LabelSelector")):
            if old_spec.get(name) != new_spec.get(name):
                errors.append(field.invalid(f"spec.{name}", GoText(f"{shown}{{...}}"), "field is immutable"))
        if old_spec.get("completionMode") != new_spec.get("completionMode"):
            errors.append(
                field.invalid("spec.completionMode", new_spec.get("completionMode"), "field is immutable")
            )
    elif (rt.group, rt.kind) == ("", "Pod") and _pod_spec_core(old.get("spec") or {}) != _pod_spec_core(
        new.get("spec") or {}
    ):
        message = (
            "pod updates may not change fields other than `spec.containers[*].image`, "
            "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) "
            "or `spec.terminationGracePeriodSeconds`"
        )
        errors.append(field.forbidden("spec", message))
    if errors:
        raise to_invalid(rt.kind, rt.group, old["metadata"]["name"], errors)
