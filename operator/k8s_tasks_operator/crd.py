"""The TaskQueue CustomResourceDefinition: load it, print it.

``crd.yaml`` next to this module is the one copy (the Helm chart copies it; a test checks they match).
``python -m k8s_tasks_operator.crd`` prints it; the package's CLI ``crd`` command should call main().
"""

import copy
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CRD_PATH = Path(__file__).with_name("crd.yaml")
GROUP = "k8stasks.io"
VERSION = "v1alpha1"
KIND = "TaskQueue"
PLURAL = "taskqueues"


def crd_yaml() -> str:
    """The CRD exactly as shipped (with its comments)."""
    return CRD_PATH.read_text(encoding="utf-8")


@cache
def _load() -> dict[str, Any]:
    data = yaml.safe_load(crd_yaml())
    if not isinstance(data, dict):
        raise ValueError(f"{CRD_PATH} does not hold a YAML mapping")
    return data


def load_crd() -> dict[str, Any]:
    """The CRD as a dict (a fresh copy each call: callers may modify it)."""
    return copy.deepcopy(_load())


def main(argv: list[str] | None = None) -> int:
    sys.stdout.write(crd_yaml())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
