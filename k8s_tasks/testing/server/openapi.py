"""/openapi/v3: per group-version documents, so kubectl validates (fieldValidation) and merges (apply).

Built-in schemas come from the kubernetes-validate definitions; a CRD's come from its openAPIV3Schema.
Each resource gets a PATCH operation carrying x-kubernetes-group-version-kind and the fieldValidation
parameter, which is what kubectl's query-parameter verifier looks for.
"""

import functools
import hashlib
import json
from typing import Any

from ..resources import ResourceType
from ..validation import definition_name, definitions

_PARAMS = [
    {"name": n, "in": "query", "schema": {"type": "string"}}
    for n in ("fieldValidation", "fieldManager", "dryRun", "force")
]


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _rewrite(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if isinstance(v, str) else _rewrite(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(v) for v in value]
    return value


def _closure(names: list[str]) -> dict[str, Any]:
    defs = definitions()["$defs"]
    seen: dict[str, Any] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen[name] = _rewrite(defs[name])
        text = json.dumps(defs[name])
        start = 0
        while (i := text.find("#/$defs/", start)) >= 0:
            end = text.find('"', i)
            todo.append(text[i + 8 : end])
            start = end
    return seen


@functools.cache
def _builtin_schemas(def_names: tuple[str, ...]) -> dict[str, Any]:
    return _closure(list(def_names))


def _paths(rt: ResourceType, schema_ref: str) -> dict[str, Any]:
    gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    prefix = "/" + gv_path(rt.group, rt.version)
    ns = "/namespaces/{namespace}" if rt.namespaced else ""
    body = {"content": {"application/json": {"schema": {"$ref": schema_ref}}}}
    responses = {"200": body}

    def op(action: str) -> dict[str, Any]:
        return {
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk,
            "parameters": _PARAMS,
            "responses": responses,
            "requestBody": body,
        }

    return {
        f"{prefix}{ns}/{rt.plural}": {"post": op("post"), "get": {**op("list"), "requestBody": None}},
        f"{prefix}{ns}/{rt.plural}/{{name}}": {
            "put": op("put"),
            "patch": op("patch"),
            "get": {**op("get"), "requestBody": None},
        },
    }


def document(group: str, version: str, types: list[ResourceType]) -> dict[str, Any]:
    chosen = [rt for rt in types if rt.group == group and rt.version == version]
    paths: dict[str, Any] = {}
    builtin = tuple(sorted(n for rt in chosen if not rt.is_custom and (n := definition_name(rt))))
    schemas = dict(_builtin_schemas(builtin)) if builtin else {}
    for rt in chosen:
        if rt.is_custom:
            name = f"{'.'.join(reversed(rt.group.split('.')))}.{rt.version}.{rt.kind}"
            schema = dict(rt.schema)
            schema["x-kubernetes-group-version-kind"] = [
                {"group": rt.group, "version": rt.version, "kind": rt.kind}
            ]
            schemas[name] = schema
        else:
            name = definition_name(rt) or ""
        if name:
            for path, ops in _paths(rt, f"#/components/schemas/{name}").items():
                paths[path] = {k: {kk: vv for kk, vv in v.items() if vv is not None} for k, v in ops.items()}
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.37.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def root(types: list[ResourceType]) -> dict[str, Any]:
    gvs = sorted({(rt.group, rt.version) for rt in types})
    paths = {}
    for group, version in gvs:
        path = gv_path(group, version)
        stamp = ",".join(
            sorted(f"{rt.kind}:{id(rt)}" for rt in types if (rt.group, rt.version) == (group, version))
        )
        digest = hashlib.sha256(stamp.encode()).hexdigest()[:32].upper()
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
