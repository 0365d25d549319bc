"""values.schema.json refuses bad values at install with a message naming the field; values.yaml is
documented line by line; the committed schema is its generator's output."""

from __future__ import annotations

import importlib.util
import json
import re
from typing import Any

import pytest

from .helm import CHART, ROOT, render, render_error


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"queues": {"default": {"concurrency": "lots"}}},
            "at '/queues/default/concurrency': got string, want integer",
        ),
        (
            {"queues": {"default": {"concurrency": -1}}},
            "at '/queues/default/concurrency': minimum: got -1, want 0",
        ),
        (
            {"queues": {"gpu": {"resources": {"limits": {"memory": "lots"}}}}},
            "at '/queues/gpu/resources/limits/memory': 'lots' does not match pattern",
        ),
        (
            {"queues": {"x": {"concurency": 3}}},
            "at '/queues/x': additional properties 'concurency' not allowed",
        ),
        ({"queues": {"Bad_Name": {}}}, "at '/queues': additional properties 'Bad_Name' not allowed"),
        (
            {"queues": {"s": {"network": "private"}}},
            "at '/queues/s/network': value must be one of 'default', 'isolated'",
        ),
        ({"queues": {"s": {"timeoutSeconds": 0}}}, "at '/queues/s/timeoutSeconds': minimum: got 0, want 1"),
        (
            {"queues": {"s": {"volumes": [{"name": "scratch"}]}}},
            "at '/queues/s/volumes/0': missing property 'mountPath'",
        ),
        ({"replicaCount": "two"}, "at '/replicaCount': got string, want integer"),
        (
            {"database": {"password": "hunter2"}},
            "at '/database': additional properties 'password' not allowed",
        ),
        ({"image": {"pullPolicy": "Sometimes"}}, "at '/image/pullPolicy': value must be one of"),
        (
            {"operator": {"podSecurity": "lax"}},
            "at '/operator/podSecurity': value must be one of 'restricted', 'baseline', 'privileged'",
        ),
        ({"django": {"settingsModule": "my-site/settings.py"}}, "at '/django/settingsModule'"),
        ({"operatr": {}}, "additional properties 'operatr' not allowed"),
        (
            {"serviceMonitor": {"enabled": True, "port": 70000}},
            "at '/serviceMonitor/port': maximum: got 70,000, want 65,535",
        ),
        ({"serviceMonitor": {"port": "9090"}}, "at '/serviceMonitor/port': got string, want integer"),
    ],
)
def test_bad_values_are_refused_naming_the_field(values: dict[str, Any], expected: str) -> None:
    error = render_error(values)
    assert "values don't meet the specifications of the schema" in error
    assert expected in error, error


def test_good_quantities_and_names_are_accepted() -> None:
    render(
        {
            "queues": {
                "q-1": {
                    "concurrency": 0,
                    "resources": {"requests": {"cpu": "250m", "memory": "1.5Gi"}, "limits": {"cpu": 2}},
                    "volumes": [{"name": "scratch", "mountPath": "/scratch", "sizeLimit": "10G"}],
                }
            },
            "django": {"settingsModule": "shop.settings.prod"},
        }
    )


def test_committed_schema_is_the_generators_output() -> None:
    spec = importlib.util.spec_from_file_location(
        "values_schema", ROOT / "helm" / "tools" / "values_schema.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (CHART / "values.schema.json").read_text() == module.render(), (
        "run: .venv/bin/python helm/tools/values_schema.py > helm/k8s-tasks/values.schema.json"
    )


def test_every_top_level_value_is_in_the_schema() -> None:
    import yaml

    values = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())
    assert set(values) <= set(schema["properties"])


# Blocks whose content is an example Kubernetes object documented as a whole by the comment above them.
WHOLE_BLOCKS = {"resources", "podSecurityContext", "securityContext", "podSelector", "requests", "limits"}


def test_every_value_in_values_yaml_has_a_comment() -> None:
    lines = (CHART / "values.yaml").read_text().splitlines()
    key = re.compile(r"^(\s*)([A-Za-z][\w.-]*):")
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing keys
    missing = []
    for n, line in enumerate(lines):
        match = key.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        inside_whole_block = any(name in WHOLE_BLOCKS for _, name in stack)
        previous = lines[n - 1].strip() if n else ""
        if not inside_whole_block and not previous.startswith("#"):
            missing.append(f"line {n + 1}: {line.strip()}")
        stack.append((indent, match.group(2)))
    assert missing == []
