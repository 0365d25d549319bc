"""A task gets at least its queue's timeoutSeconds.

Kubernetes keeps a Job's ``status.startTime`` in whole seconds (metav1.Time is RFC 3339, fractions
dropped) and its Job controller fails the Job once ``now - startTime >= activeDeadlineSeconds``
(``pastActiveDeadline``). With ``activeDeadlineSeconds == timeoutSeconds`` a Job created at x.9 s was
failed 0.1 s later than x + timeoutSeconds, i.e. up to a second early: the issue's ``timeoutSeconds: 3``
task failed 2.2 s after its dispatch. The local cluster truncates the same way
(k8s_tasks/testing/sim/jobstatus.py); the Job's deadline is a second more than timeoutSeconds.
"""

import math
import time
from pathlib import Path

from k8s_tasks.profiles.job import active_deadline_seconds
from k8s_tasks_operator.classify import job_finished
from tests.waiting import wait_until

from .test_on_the_cluster import NODE, cluster, job_of, launch, outcome_of, run_command, until


def test_the_deadline_covers_the_lost_fraction_of_a_second() -> None:
    for timeout in (1, 3, 3600):
        for created in (100.0, 100.001, 100.5, 100.999):
            start = math.floor(created)  # what the Job's status.startTime keeps of its creation
            assert start + active_deadline_seconds(timeout) > created + timeout


async def test_a_job_created_late_in_a_second_runs_its_whole_timeout(tmp_path: Path) -> None:
    spec = {"timeoutSeconds": 1, **run_command("import time; time.sleep(60)")}
    async with cluster(tmp_path, [NODE]) as sim:
        # Created 0.8 s into a second: its startTime loses those 0.8 s.
        wait_until(lambda: 0.8 <= time.time() % 1 < 0.9, timeout=2, interval=0.005, what="x.8 s")
        created = time.monotonic()
        name = launch(sim, spec)
        await until(lambda: job_finished(job_of(sim, name)), "the Job's deadline", within=10)
        ran = time.monotonic() - created
        result = await outcome_of(sim, name)
    assert ran >= 1.0, f"the Job was failed for its deadline {ran:.2f}s after it was created"
    assert result.kind == "PodDeadlineExceeded"
    assert result.message == "Deadline exceeded: the task ran longer than timeoutSeconds=1"
