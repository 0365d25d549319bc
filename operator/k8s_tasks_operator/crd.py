"""The CustomResourceDefinitions: TaskQueue and TaskSchedule. Load them, print them.

``crd.yaml`` (TaskQueue) and ``taskschedule-crd.yaml`` next to this module are the one copies (the Helm
chart copies them; a test checks they match). ``python -m k8s_tasks_operator crd`` prints both, as one
YAML stream for ``kubectl apply -f -``.
"""

import copy
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CRD_PATH = Path(__file__).with_name("crd.yaml")
SCHEDULE_CRD_PATH = Path(__file__).with_name("taskschedule-crd.yaml")
GROUP = "k8stasks.io"
VERSION = "v1alpha1"
KIND = "TaskQueue"
PLURAL = "taskqueues"


def crd_yaml() -> str:
    """Both CRDs exactly as shipped (with their comments), TaskQueue first, as one YAML stream."""
    return CRD_PATH.read_text(encoding="utf-8") + "---\n" + SCHEDULE_CRD_PATH.read_text(encoding="utf-8")


@cache
def _load(path: Path = CRD_PATH) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a YAML mapping")
    return data


def load_crd() -> dict[str, Any]:
    """The TaskQueue CRD as a dict (a fresh copy each call: callers may modify it)."""
    return copy.deepcopy(_load())


def load_schedule_crd() -> dict[str, Any]:
    """The TaskSchedule CRD as a dict (a fresh copy each call)."""
    return copy.deepcopy(_load(SCHEDULE_CRD_PATH))


def main(argv: list[str] | None = None) -> int:
    sys.stdout.write(crd_yaml())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
