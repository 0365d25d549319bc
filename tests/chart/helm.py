"""Run the real helm binary on the chart and parse what it renders."""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "k8s-tasks"
HELM = ROOT / ".tools" / "bin" / "helm"
KUBE_VERSION = "1.37.0"
NAMESPACE = "tasks"
RELEASE = "rel"
FULLNAME = f"{RELEASE}-k8s-tasks"

Manifest = dict[str, Any]


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    if not HELM.exists():
        raise RuntimeError(f"{HELM} is missing: run `make setup` (scripts/install-tools.sh) first")
    return subprocess.run([str(HELM), *args], capture_output=True, text=True, timeout=60, check=False)


def _template_args(values_json: str, value_files: tuple[str, ...], namespace: str, crds: bool) -> list[str]:
    args = ["template", RELEASE, str(CHART), "--namespace", namespace, "--kube-version", KUBE_VERSION]
    if crds:
        args.append("--include-crds")  # what `helm install` applies first, from crds/
    for path in value_files:
        args += ["--values", path]
    return [*args, "--values", values_json]


@functools.lru_cache(maxsize=64)
def _render(
    values_text: str, value_files: tuple[str, ...], namespace: str, crds: bool
) -> tuple[int, str, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(values_text)
    try:
        done = helm(*_template_args(handle.name, value_files, namespace, crds))
    finally:
        Path(handle.name).unlink()
    return done.returncode, done.stdout, done.stderr


def render_text(
    values: dict[str, Any] | None = None,
    *,
    value_files: Iterable[Path] = (),
    namespace: str = NAMESPACE,
    crds: bool = True,
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `helm template` with these values (JSON is valid YAML)."""
    files = tuple(str(p) for p in value_files)
    return _render(json.dumps(values or {}, sort_keys=True), files, namespace, crds)


def render(
    values: dict[str, Any] | None = None,
    *,
    value_files: Iterable[Path] = (),
    namespace: str = NAMESPACE,
    crds: bool = True,
) -> list[Manifest]:
    """Every object `helm install` would create with these values (the CRD first, unless crds=False,
    as with --skip-crds); fails with helm's message."""
    code, out, err = render_text(values, value_files=value_files, namespace=namespace, crds=crds)
    if code != 0:
        raise AssertionError(f"helm template failed ({code}):\n{err}")
    return [doc for doc in yaml.safe_load_all(out) if doc]


def render_error(values: dict[str, Any]) -> str:
    """helm's error output for values it must refuse."""
    code, out, err = render_text(values)
    assert code != 0, f"helm accepted values it should refuse: {values}\n{out[:2000]}"
    return err


def by_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[Manifest], kind: str, name: str | None = None) -> Manifest:
    found = [m for m in by_kind(manifests, kind) if name is None or m["metadata"]["name"] == name]
    names = [m["metadata"]["name"] for m in found]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {names}"
    return found[0]


def operator_container(manifests: list[Manifest]) -> dict[str, Any]:
    pod = one(manifests, "Deployment")["spec"]["template"]["spec"]
    containers: list[dict[str, Any]] = pod["containers"]
    assert [c["name"] for c in containers] == ["operator"]
    return containers[0]


def env_map(container: dict[str, Any]) -> dict[str, Any]:
    """name -> value (or the valueFrom dict) of a container's env."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
