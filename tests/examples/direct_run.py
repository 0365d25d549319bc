"""Run examples' tasks without a cluster: enqueue them as the demo does, then run each one with the pod
entrypoint `python -m k8s_tasks run <id>` as a child process, and check the rows with the demo's verify.

Usage (demo project environment): python tests/examples/direct_run.py WORKDIR EXAMPLE...
Prints one line per problem; exit 0 when there are none. Node placement and network isolation need a
cluster, so they are not checked here.
"""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import django


def main(workdir: Path, examples: list[str]) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo_driver.observe import read_rows
    from demo_driver.scenarios import enqueue
    from demo_driver.verify import all_problems

    plan = enqueue(tuple(examples), workdir)
    for number, planned in enumerate(plan):
        env = dict(os.environ, POD_NAME=f"direct-{number}", NODE_NAME="no-node")
        run = subprocess.run(
            [sys.executable, "-m", "k8s_tasks", "run", planned.result_id], env=env, timeout=60
        )
        print(f"{planned.label}: exit {run.returncode}", flush=True)
    plan = [
        dataclasses.replace(p, expect=dataclasses.replace(p.expect, pool=None, isolated=False)) for p in plan
    ]
    problems = all_problems(plan, read_rows(plan))
    for text in problems:
        print(f"PROBLEM {text}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
