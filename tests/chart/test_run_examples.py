"""scripts/kind/run_examples.py (run inside the app image on kind): its verdicts, and that every example
task it enqueues exists in examples/ with that name."""

from __future__ import annotations

import ast
import importlib.util
import sys
from types import ModuleType

import pytest

from .helm import ROOT

SCRIPT = ROOT / "scripts" / "kind" / "run_examples.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_examples", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        ("SUCCESSFUL", "", None),
        ("FAILED", "k8s_tasks.exceptions.PodOOMKilled", "ended FAILED (k8s_tasks.exceptions.PodOOMKilled)"),
    ],
)
def test_verdict_for_a_task_expected_to_succeed(status: str, error: str, expected: str | None) -> None:
    module = load()
    result = module.verdict(module.Expectation("01", "SUCCESSFUL"), status, error)
    assert result is None if expected is None else expected in result


def test_verdict_for_an_expected_failure_checks_the_error_class() -> None:
    module = load()
    expect = module.Expectation("06", "FAILED", "k8s_tasks.exceptions.PodDeadlineExceeded")
    assert module.verdict(expect, "FAILED", "k8s_tasks.exceptions.PodDeadlineExceeded") is None
    assert "expected k8s_tasks.exceptions.PodDeadlineExceeded" in module.verdict(expect, "FAILED", "x.Y")
    assert "expected FAILED" in module.verdict(expect, "SUCCESSFUL", "")


def test_every_enqueued_example_task_exists() -> None:
    (tree,) = [
        node
        for node in ast.parse(SCRIPT.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name == "enqueue_examples"
    ]
    imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    used = {
        (node.value.id, node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imported
    }
    assert len(used) == 5
    modules = {path.stem: path for path in ROOT.glob("examples/0*/*.py")}
    for module, function in used:
        assert module in modules, f"no example module {module}.py"
        defined = {
            node.name
            for node in ast.parse(modules[module].read_text()).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and any("task" in ast.unparse(d) for d in node.decorator_list)
        }
        assert function in defined, f"{module}.{function} is not a @task in {modules[module]}"
