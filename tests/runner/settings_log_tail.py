"""tests.settings with OPTIONS["LOG_TAIL_BYTES"] from K8S_TASKS_TEST_LOG_TAIL_BYTES (runner subprocesses)."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import TASKS

TASKS = {
    "default": {
        **TASKS["default"],
        "OPTIONS": {"LOG_TAIL_BYTES": int(os.environ.get("K8S_TASKS_TEST_LOG_TAIL_BYTES", "16384"))},
    }
}
