"""Settings of case 9: the task rows live in a second database, `tasks` (OPTIONS["DATABASE"]), and the
backend names its namespace (OPTIONS["NAMESPACE"]). The operator must serve that database, in that
namespace, without being told on its command line. K8S_TASKS_DB2_NAME names the second database."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, TASKS

DATABASES = {
    **DATABASES,
    "tasks": {**DATABASES["default"], "NAME": os.environ.get("K8S_TASKS_DB2_NAME", "")},
}
TASKS = {
    "default": {
        **TASKS["default"],
        "OPTIONS": {"DATABASE": "tasks", "NAMESPACE": os.environ.get("K8S_TASKS_NAMESPACE_OPTION", "tasks")},
    }
}
