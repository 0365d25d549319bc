"""The unchanged operator with every resync pass in its log: the operator logs its "resync: ... (0.123s)"
line at debug level when the pass found nothing to do (info otherwise); this raises its logger
(`k8s_tasks_operator`, which logs little else at debug) to DEBUG before running it, so the benchmark can
read the seconds of each pass. The period comes from K8S_TASKS_RESYNC_SECONDS, as for any operator.

    python -m bench.resync_operator [operator arguments...]
"""

from __future__ import annotations

import logging
import sys


def main() -> int:
    logging.getLogger("k8s_tasks_operator").setLevel(logging.DEBUG)
    from k8s_tasks_operator.__main__ import main as operator_main

    return operator_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
