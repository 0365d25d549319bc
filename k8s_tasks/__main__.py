"""``python -m k8s_tasks run <result-id>`` (the task pod entrypoint) and ``python -m k8s_tasks status``."""

import sys

from .cli import main

sys.exit(main())
