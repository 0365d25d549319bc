"""`python -m tests.faults.skewed ...`: the operator in a process whose clock runs K8S_TASKS_TEST_CLOCK_SKEW
seconds ahead (time.time and Django's timezone.now), as on a node whose clock is wrong."""

from __future__ import annotations

import datetime
import os
import sys
import time

SKEW = float(os.environ.get("K8S_TASKS_TEST_CLOCK_SKEW", "0"))
_real_time = time.time


def _skewed_time() -> float:
    return _real_time() + SKEW


def _skewed_now() -> datetime.datetime:
    return datetime.datetime.fromtimestamp(_skewed_time(), tz=datetime.UTC)


if __name__ == "__main__":
    time.time = _skewed_time
    from django.utils import timezone

    timezone.now = _skewed_now
    from k8s_tasks_operator.__main__ import main

    sys.exit(main())
