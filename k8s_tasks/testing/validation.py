"""Validation of objects against the Kubernetes 1.37 OpenAPI schemas shipped by kubernetes-validate,
and of custom resources against their CRD's openAPIV3Schema. Compiled validators are cached per kind.
"""

import functools
import json
import re
from importlib import resources
from typing import Any

import jsonschema

from .errors import BadRequest, Invalid, invalid
from .resources import ResourceType
from .schemacheck import Compiler, Error

KUBERNETES_VERSION = "1.37.0"
_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_REQUIRED_RE = re.compile(r"^'([^']+)' is a required property")


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
def _compiler(strict: bool) -> Compiler:
    return Compiler(definitions(strict)["$defs"])


def _builtin_errors(def_name: str, strict: bool, obj: dict[str, Any]) -> list[Error]:
    errors: list[Error] = []
    _compiler(strict).definition(def_name)(obj, (), errors)
    return errors


_crd_validators: dict[int, tuple[Any, jsonschema.Draft202012Validator]] = {}


def _custom_errors(schema: dict[str, Any], obj: dict[str, Any]) -> list[Error]:
    cached = _crd_validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, jsonschema.Draft202012Validator(schema))
        _crd_validators[id(schema)] = cached
    errors: list[Error] = []
    for error in cached[1].iter_errors(obj):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            match = _REQUIRED_RE.match(error.message)
            errors.append(((*path, match.group(1) if match else "?"), "required", error.message))
        else:
            shown = json.dumps(error.instance)[:80]
            errors.append((path, str(error.validator), f"{shown}: {error.message}"))
    return errors


def _field(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _causes(errors: list[Error]) -> list[tuple[str, str, str]]:
    causes = []
    for path, keyword, message in errors:
        field = _field(path)
        if keyword == "required":
            causes.append((field, "FieldValueRequired", "Required value"))
        elif keyword == "additionalProperties":
            causes.append((field, "FieldValueUnknown", f'unknown field "{path[-1]}"'))
        else:
            causes.append((field, "FieldValueInvalid", f"Invalid value: {message}"))
    return causes


def _semantic_causes(rt: ResourceType, obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The checks kube-apiserver makes beyond the schema that users hit most often."""
    causes = []
    name = (obj.get("metadata") or {}).get("name", "")
    if (name and not _NAME_RE.match(name)) or len(name) > 253:
        causes.append(
            (
                "metadata.name",
                "FieldValueInvalid",
                f"Invalid value: {name!r}: a lowercase RFC 1123 subdomain must consist "
                "of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                "alphanumeric character",
            )
        )
    pod_spec, prefix = None, ""
    if rt.group == "" and rt.kind == "Pod":
        pod_spec, prefix = obj.get("spec") or {}, "spec"
    elif rt.group == "batch" and rt.kind == "Job":
        pod_spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        prefix = "spec.template.spec"
        if pod_spec.get("restartPolicy") not in ("Never", "OnFailure"):
            causes.append(
                (
                    f"{prefix}.restartPolicy",
                    "FieldValueRequired",
                    'Required value: valid values: "OnFailure", "Never"',
                )
            )
    if pod_spec is not None:
        containers = pod_spec.get("containers") or []
        if not containers:
            causes.append((f"{prefix}.containers", "FieldValueRequired", "Required value"))
        for i, container in enumerate(containers):
            if isinstance(container, dict) and not container.get("image"):
                field = f"{prefix}.containers[{i}].image"
                causes.append((field, "FieldValueRequired", "Required value"))
    return causes


def validate(rt: ResourceType, obj: dict[str, Any], *, strict: bool = False) -> None:
    """Raise Invalid (422) naming every bad field; strict also refuses unknown fields."""
    if rt.is_custom:
        causes = _causes(_custom_errors(rt.schema, obj))
    else:
        def_name = definition_name(rt)
        causes = _causes(_builtin_errors(def_name, strict, obj)) if def_name else []
    unknown = [field for field, reason, _ in causes if reason == "FieldValueUnknown"]
    if unknown:  # strict decoding fails before validation, with a 400 as kube-apiserver's does
        raise BadRequest("strict decoding error: " + ", ".join(f'unknown field "{f}"' for f in unknown))
    if not causes:
        causes = _semantic_causes(rt, obj)
    if causes:
        name = (obj.get("metadata") or {}).get("name") or (obj.get("metadata") or {}).get("generateName", "")
        raise invalid(rt.kind, rt.group, name, causes)


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


__all__ = ["Invalid", "definition_name", "definitions", "prune", "validate"]


_POD_MUTABLE = ("activeDeadlineSeconds", "tolerations", "schedulingGates", "terminationGracePeriodSeconds")


def _pod_spec_core(spec: dict[str, Any]) -> dict[str, Any]:
    """The part of a pod spec an update may not change (images and a few fields may change)."""
    core = {k: v for k, v in spec.items() if k not in _POD_MUTABLE}
    core["containers"] = [{k: v for k, v in c.items() if k != "image"} for c in spec.get("containers") or []]
    return core


def validate_update(rt: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
    """The immutability rules of updates that clients most often run into (422 "field is immutable")."""
    causes: list[tuple[str, str, str]] = []
    name = old["metadata"]["name"]
    if rt.group == "batch" and rt.kind == "Job":
        old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
        for field in ("template", "selector", "completionMode"):
            if old_spec.get(field) != new_spec.get(field):
                causes.append((f"spec.{field}", "FieldValueInvalid", "Invalid value: field is immutable"))
    elif (rt.group, rt.kind) == ("", "Pod"):
        changed = _pod_spec_core(old.get("spec") or {}) != _pod_spec_core(new.get("spec") or {})
        message = (
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`, "
            "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) "
            "or `spec.terminationGracePeriodSeconds`"
        )
        causes += [("spec", "FieldValueForbidden", message)] if changed else []
    if causes:
        raise invalid(rt.kind, rt.group, name, causes)
