"""``as=Table`` responses: the columns kube-apiserver's printers produce for pods, jobs, nodes, events,
namespaces and a few more, and each CRD's additionalPrinterColumns."""

from collections.abc import Callable
from typing import Any

from ..resources import ResourceType
from .humanize import age, between
from .jsonpath import evaluate
from .moretables import PRINTERS as MORE_PRINTERS

Row = list[Any]
Column = tuple[str, str, int]  # (name, type, priority)

_NAME: Column = ("Name", "string", 0)
_AGE: Column = ("Age", "string", 0)


def _m(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _pod(obj: dict[str, Any]) -> Row:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    reason = status.get("reason") or status.get("phase") or "Pending"
    for s in statuses:
        state = s.get("state") or {}
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif state.get("terminated"):
            term = state["terminated"]
            reason = term.get("reason") or (
                f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode')}"
            )
    if _m(obj).get("deletionTimestamp") and reason not in ("Completed", "Error"):
        reason = "Terminating"
    if reason == "Pending" and not spec.get("nodeName"):
        reason = "Pending"
    total = len(spec.get("containers") or [])
    return [
        _m(obj)["name"],
        f"{ready}/{total}",
        reason,
        restarts,
        age(_m(obj).get("creationTimestamp")),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        "<none>",
        "<none>",
    ]


def _job_status(status: dict[str, Any], spec: dict[str, Any], deleting: bool) -> str:
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    for kind in ("Failed", "Complete", "SuccessCriteriaMet", "FailureTarget", "Suspended"):
        if conditions.get(kind) == "True":
            return kind
    if deleting:
        return "Terminating"
    return "Running"


def _job(obj: dict[str, Any]) -> Row:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    completions = spec.get("completions")
    done = status.get("succeeded") or 0
    shown = (
        f"{done}/{completions}" if completions is not None else f"{done}/1 of {spec.get('parallelism', 1)}"
    )
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    selector = ",".join(
        f"{k}={v}" for k, v in ((spec.get("selector") or {}).get("matchLabels") or {}).items()
    )
    return [
        _m(obj)["name"],
        _job_status(status, spec, bool(_m(obj).get("deletionTimestamp"))),
        shown,
        between(status.get("startTime"), status.get("completionTime")),
        age(_m(obj).get("creationTimestamp")),
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
        selector,
    ]


def _node(obj: dict[str, Any]) -> Row:
    status, spec = obj.get("status") or {}, obj.get("spec") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Ready" if ready and ready.get("status") == "True" else ("NotReady" if ready else "Unknown")
    if spec.get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(
        k.split("/", 1)[1] for k in (_m(obj).get("labels") or {}) if k.startswith("node-role.kubernetes.io/")
    )
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    return [
        _m(obj)["name"],
        state,
        ",".join(roles) or "<none>",
        age(_m(obj).get("creationTimestamp")),
        info.get("kubeletVersion", ""),
        addresses.get("InternalIP", "<none>"),
        addresses.get("ExternalIP", "<none>"),
        info.get("osImage", "<unknown>"),
        info.get("kernelVersion", "<unknown>"),
        info.get("containerRuntimeVersion", "<unknown>"),
    ]


def _event(obj: dict[str, Any]) -> Row:
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    last = obj.get("lastTimestamp") or obj.get("eventTime") or _m(obj).get("creationTimestamp")
    first = obj.get("firstTimestamp") or obj.get("eventTime") or _m(obj).get("creationTimestamp")
    source = obj.get("source") or {}
    return [
        age(last),
        obj.get("type", ""),
        obj.get("reason", ""),
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        obj.get("message", obj.get("note", "")),
        involved.get("fieldPath", ""),
        source.get("component", obj.get("reportingController", "")),
        age(first),
        obj.get("count", 1),
        _m(obj)["name"],
    ]


def _simple(
    *extra: tuple[Column, Callable[[dict[str, Any]], Any]],
) -> tuple[list[Column], Callable[..., Row]]:
    columns = [_NAME, *(c for c, _ in extra), _AGE]

    def row(obj: dict[str, Any]) -> Row:
        return [_m(obj)["name"], *(fn(obj) for _, fn in extra), age(_m(obj).get("creationTimestamp"))]

    return columns, row


_S, _I = "string", "integer"
PRINTERS: dict[tuple[str, str], tuple[list[Column], Callable[[dict[str, Any]], Row]]] = {
    ("", "pods"): (
        [
            _NAME,
            ("Ready", _S, 0),
            ("Status", _S, 0),
            ("Restarts", _S, 0),
            _AGE,
            ("IP", _S, 1),
            ("Node", _S, 1),
            ("Nominated Node", _S, 1),
            ("Readiness Gates", _S, 1),
        ],
        _pod,
    ),
    ("batch", "jobs"): (
        [
            _NAME,
            ("Status", _S, 0),
            ("Completions", _S, 0),
            ("Duration", _S, 0),
            _AGE,
            ("Containers", _S, 1),
            ("Images", _S, 1),
            ("Selector", _S, 1),
        ],
        _job,
    ),
    ("", "nodes"): (
        [
            _NAME,
            ("Status", _S, 0),
            ("Roles", _S, 0),
            _AGE,
            ("Version", _S, 0),
            ("Internal-IP", _S, 1),
            ("External-IP", _S, 1),
            ("OS-Image", _S, 1),
            ("Kernel-Version", _S, 1),
            ("Container-Runtime", _S, 1),
        ],
        _node,
    ),
    ("", "events"): (
        [
            ("Last Seen", _S, 0),
            ("Type", _S, 0),
            ("Reason", _S, 0),
            ("Object", _S, 0),
            ("Message", _S, 0),
            ("Subobject", _S, 1),
            ("Source", _S, 1),
            ("First Seen", _S, 1),
            ("Count", _I, 1),
            _NAME,
        ],
        _event,
    ),
    ("", "namespaces"): _simple((("Status", _S, 0), lambda o: (o.get("status") or {}).get("phase", ""))),
    ("", "configmaps"): _simple(
        (("Data", _I, 0), lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))
    ),
    ("", "secrets"): _simple(
        (("Type", _S, 0), lambda o: o.get("type", "Opaque")),
        (("Data", _I, 0), lambda o: len(o.get("data") or {})),
    ),
    ("coordination.k8s.io", "leases"): _simple(
        (("Holder", _S, 0), lambda o: (o.get("spec") or {}).get("holderIdentity", ""))
    ),
}
PRINTERS[("events.k8s.io", "events")] = PRINTERS[("", "events")]
PRINTERS.update(MORE_PRINTERS)


def _custom(rt: ResourceType) -> tuple[list[Column], Callable[[dict[str, Any]], Row]]:
    specs = list(rt.printer_columns)
    if not specs:
        return _simple()
    columns: list[Column] = [_NAME] + [
        (
            c.get("name", ""),
            "string" if c.get("type") == "date" else c.get("type", "string"),
            int(c.get("priority", 0)),
        )
        for c in specs
    ]

    def row(obj: dict[str, Any]) -> Row:
        cells: Row = [_m(obj)["name"]]
        for c in specs:
            value = evaluate(obj, c.get("jsonPath", ""))
            if c.get("type") == "date":
                value = age(value) if value else "<unknown>"
            elif isinstance(value, dict | list):
                import json

                value = json.dumps(value)
            cells.append(value if value is not None else "")
        return cells

    return columns, row


def printer(rt: ResourceType) -> tuple[list[Column], Callable[[dict[str, Any]], Row]]:
    if rt.is_custom:
        return _custom(rt)
    return PRINTERS.get(rt.key) or _simple()


def partial_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata") or {},
    }


def table(
    rt: ResourceType,
    objects: list[dict[str, Any]],
    resource_version: str,
    include_object: str | None,
    *,
    with_columns: bool = True,
) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table; ``include_object`` is the request's includeObject (None/Object/Metadata)."""
    columns, row = printer(rt)
    rows = []
    for obj in objects:
        entry: dict[str, Any] = {"cells": row(obj)}
        if include_object == "Object":
            entry["object"] = obj
        elif include_object != "None":
            entry["object"] = partial_metadata(obj)
        rows.append(entry)
    result: dict[str, Any] = {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": [
            {
                "name": name,
                "type": kind,
                "format": "name" if name == "Name" else "",
                "description": name,
                "priority": priority,
            }
            for name, kind, priority in columns
        ]
        if with_columns
        else [],
        "rows": rows,
    }
    return result
