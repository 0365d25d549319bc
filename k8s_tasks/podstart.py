"""A task pod that cannot start Django: say which module is missing and how a pod finds your code.

``python -m k8s_tasks run <id>`` starts Django before anything else, so a pod that cannot import the
settings (``No module named 'mysite'``: the project is not on the pod's ``sys.path``) or something they
name (an app of INSTALLED_APPS, a package missing from the image) reaches no database and writes no row.
This module (no Django: that is what failed) prints the traceback, then one line saying what failed and
the fix, and writes the same as the runner's JSON summary to the termination message, whose ``reason`` the
operator puts first in the task's reason (k8s_tasks_operator.classify).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

TERMINATION_LOG = "/dev/termination-log"
EXIT_NOT_STARTED = 2  # as the runner's usage and state errors: the task was not run


def where_code_is_found(environ: Mapping[str, str]) -> str:
    """The fix for a module the pod cannot import, with what this pod has."""
    pythonpath = environ.get("PYTHONPATH") or "(unset)"
    pythonpath = pythonpath if len(pythonpath) <= 300 else pythonpath[:297] + "..."
    return (
        "The task pod imports your code from its working directory and PYTHONPATH: run the image with your "
        "project's directory as its WORKDIR or put that directory on PYTHONPATH (the TaskQueue's env; on "
        "the local cluster, pods get the cluster's PYTHONPATH, or the operator's with "
        "K8S_TASKS_POD_ENV=PYTHONPATH), and install the packages it needs in the image. "
        f"This pod: working directory {os.getcwd()}, PYTHONPATH {pythonpath}."
    )


def setup_failure(error: BaseException, environ: Mapping[str, str]) -> str:
    """One line (no newline): why Django could not start with this pod's settings, and the fix."""
    settings = environ.get("DJANGO_SETTINGS_MODULE", "")
    if isinstance(error, ModuleNotFoundError) and error.name:
        name = error.name
        if settings == name or settings.startswith(name + "."):
            what = f"cannot import the settings DJANGO_SETTINGS_MODULE={settings}: No module named {name!r}."
        else:
            what = (
                f"cannot start Django with DJANGO_SETTINGS_MODULE={settings}: No module named {name!r} "
                "(imported by the settings or an app of INSTALLED_APPS)."
            )
        return f"{what} {where_code_is_found(environ)}"
    text = " ".join(f"{type(error).__qualname__}: {error}".split())
    return f"cannot start Django with DJANGO_SETTINGS_MODULE={settings}: {text}"


def cannot_start(result_id: str, error: BaseException, environ: Mapping[str, str] | None = None) -> int:
    """Report a failed django.setup() in a task pod (stderr and termination message); the exit code."""
    environ = os.environ if environ is None else environ
    reason = setup_failure(error, environ)
    traceback.print_exception(error)
    print(f"k8s-tasks: task {result_id}: {reason}", file=sys.stderr, flush=True)
    summary = {"id": result_id, "status": "NOT_STARTED", "reason": reason}
    path = environ.get("K8S_TASKS_TERMINATION_LOG") or TERMINATION_LOG
    with contextlib.suppress(OSError):  # not in a pod: stderr says it
        Path(path).write_text(json.dumps(summary, separators=(",", ":")) + "\n")
    return EXIT_NOT_STARTED
