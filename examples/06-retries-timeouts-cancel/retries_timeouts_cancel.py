"""06-retries-timeouts-cancel: what happens when a task fails, overruns or is cancelled.

The policy lives on the queue, not in the code: the same function behaves differently on a queue with
``retries.attempts: 2`` or ``timeoutSeconds: 3``. The demo enqueues:

- ``flaky`` on the ``retrying`` queue: the first attempt raises, the operator schedules a second attempt
  (a second Job) after the backoff, and it succeeds;
- ``slow`` on the ``deadline`` queue: it runs past the queue's timeout, the Job's activeDeadlineSeconds
  ends the pod, and the row ends FAILED with ``k8s_tasks.exceptions.PodDeadlineExceeded``;
- ``slow`` on the ``default`` queue, cancelled with ``k8s_tasks.cancel(result.id)`` while RUNNING: the
  Job is deleted, the pod gets SIGTERM, and the row ends FAILED with ``k8s_tasks.exceptions.TaskCancelled``.
"""

import os
import time
from pathlib import Path

from django.tasks import task


@task()
def flaky(marker: str) -> str:
    """Fails while `marker` does not exist (creating it), then succeeds: a transient error."""
    path = Path(marker)
    if not path.exists():
        path.write_text(f"first attempt in {os.environ.get('POD_NAME', '?')}\n")
        raise ConnectionError("the payment gateway timed out (first attempt; a retry will succeed)")
    return f"succeeded on a retry; {path.read_text().strip()}"


@task()
def slow(seconds: float) -> float:
    """Works for `seconds` (printing progress), then returns them."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        print(f"working... {time.monotonic() - started:.0f}s", flush=True)
        time.sleep(0.5)
    return seconds
