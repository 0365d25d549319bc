"""The demo, start to finish: set up, start the cluster and the operator, run the examples, verify.

Exit status: 0 when every task ended as expected, 1 when some ended otherwise (each difference is
printed), 2 when the demo could not run or ran out of time, whichever step it was at (what failed, and
the end of the relevant log).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from k8s_tasks.testing.cluster import cli_command

from .config import DEMO_DIR, DemoConfig, child_env, parse_args
from .observe import Placement, read_rows, unfinished_jobs
from .plan import Outcome, Planned
from .processes import DemoError, Service, run, run_checked, start, stop, wait_until
from .scenarios import enqueue
from .schedules import apply_schedules, clock_ahead, scheduled_plan
from .table import LiveTable, fit_line, fit_table, output_width, render, summary
from .verify import all_problems

CRD_NAME = "taskqueues.k8stasks.io"


WIDTH = output_width(sys.stdout)
"""The output's columns: the terminal's, or 80 (COLUMNS) in a log or a pipe; every line fits."""


def say(text: str) -> None:
    print("\n".join(fit_line(line, WIDTH) for line in text.split("\n")), flush=True)


def prepare(config: DemoConfig) -> None:
    """A fresh work directory and database, and Django set up in this process."""
    if config.database == "sqlite":
        for name in ("demo.sqlite3", "demo.sqlite3-wal", "demo.sqlite3-shm"):
            (config.workdir / name).unlink(missing_ok=True)
    for name in ("mail", "logs", "kube-cache"):
        shutil.rmtree(config.workdir / name, ignore_errors=True)
    config.workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(child_env(config))
    if str(DEMO_DIR) not in sys.path:
        sys.path.insert(0, str(DEMO_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def start_cluster(config: DemoConfig, env: dict[str, str], deadline: float, services: list[Service]) -> None:
    """Start the local cluster (added to `services` at once, so it is stopped whatever happens next)."""
    config.kubeconfig.unlink(missing_ok=True)
    workdir = str(config.workdir / "cluster")
    argv = cli_command(config.nodes_file, config.kubeconfig, "--workdir", workdir, python=config.python)
    services.append(start("local cluster", argv, env, config.workdir / "logs" / "cluster.log"))
    wait_until(
        config.kubeconfig.exists, what="the local cluster's kubeconfig", deadline=deadline, services=services
    )


def apply_queues(
    config: DemoConfig, kubectl: list[str], env: dict[str, str], deadline: float, services: list[Service]
) -> None:
    crd = config.workdir / "taskqueue-crd.yaml"
    crd.write_text(run_checked([config.python, "-m", "k8s_tasks_operator", "crd"], env))
    say(run_checked([*kubectl, "apply", "-f", str(crd)], env).rstrip())
    last_error: list[str] = []

    def queues_applied() -> bool:
        # Until discovery shows the new kind, kubectl answers "no matches for kind TaskQueue".
        result = run([*kubectl, "apply", "-f", str(config.queues_file)], env)
        if result.returncode == 0:
            say(result.stdout.rstrip())
            return True
        last_error[:] = [result.stderr.strip()]
        return False

    try:
        wait_until(
            queues_applied,
            what="kubectl apply -f queues.yaml",
            deadline=deadline,
            services=services,
            interval=0.5,
        )
    except DemoError as exc:
        raise DemoError(f"{exc}; kubectl said: {last_error[0] if last_error else '(nothing)'}") from None


def start_operator(config: DemoConfig, env: dict[str, str], schedules: list[dict[str, Any]]) -> Service:
    argv = [config.python, "-m", "k8s_tasks_operator", "--namespace", "default"]
    if config.fast_schedules and schedules:
        ahead = clock_ahead(schedules)
        env = {**env, "K8S_TASKS_SCHEDULE_CLOCK": f"offset:{ahead:.1f}"}
        say(f"--fast-schedules: the operator's schedule clock runs {ahead:.0f}s ahead")
    return start("operator", argv, env, config.workdir / "logs" / "operator.log")


def follow(
    plan: list[Planned], placement: Placement, deadline: float, services: list[Service]
) -> dict[str, Outcome]:
    """Show progress until every task has finished; cancel the tasks meant to be. DemoError at deadline."""
    import k8s_tasks

    live = LiveTable()
    cancelled: set[str] = set()
    while True:
        outcomes = read_rows(plan)
        placement.annotate(outcomes)
        for planned in plan:
            outcome = outcomes.get(planned.result_id)
            if (
                planned.cancel_when_running
                and outcome
                and outcome.status == "RUNNING"
                and planned.result_id not in cancelled
            ):
                k8s_tasks.cancel(planned.result_id)
                cancelled.add(planned.result_id)
                say(f"cancelled {planned.label} ({planned.result_id}) while it was RUNNING")
                live.forget()
        done = all(o.finished for o in outcomes.values()) and len(outcomes) == len(plan)
        if done:  # the last table shows where every final attempt ran
            placement.refresh()
            placement.annotate(outcomes)
        live.show(render(plan, outcomes, live.columns), final=done)
        if done:
            return outcomes
        for service in services:
            if not service.alive():
                live.show(render(plan, outcomes, live.columns), final=True)
                raise DemoError(service.died_message())
        if time.monotonic() > deadline:
            live.show(render(plan, outcomes, live.columns), final=True)
            unfinished = [p.label for p in plan if not (o := outcomes.get(p.result_id)) or not o.finished]
            raise DemoError(
                f"timed out waiting for the tasks to finish ({summary(outcomes) or 'none started'}; "
                f"unfinished: {', '.join(unfinished)})"
            )
        time.sleep(0.3)


def settle(
    pending: Callable[[], list[str]], what: str, seconds: float, deadline: float, services: list[Service]
) -> None:
    """Give the cluster a moment to catch up with the rows (bounded); say what is still pending."""
    try:
        wait_until(
            lambda: not pending(),
            what=what,
            deadline=min(deadline, time.monotonic() + seconds),
            services=services,
            interval=0.5,
        )
    except DemoError as exc:
        say(f"note: {exc}; still pending: {', '.join(pending())}")


def queues_busy(kubectl: list[str], env: dict[str, str]) -> list[str]:
    """TaskQueues whose status still counts tasks as ready or running (it refreshes every second)."""
    listed = json.loads(run_checked([*kubectl, "get", "taskqueues", "-o", "json"], env))
    return [
        q["metadata"]["name"]
        for q in listed["items"]
        if (q.get("status") or {}).get("ready", 1) or (q.get("status") or {}).get("running", 1)
    ]


def show_kubectl(kubectl: list[str], env: dict[str, str], schedules: bool = False) -> None:
    for args in (["get", "taskqueues"], *([["get", "taskschedules"]] if schedules else []), ["get", "jobs"]):
        say(f"\n$ kubectl {' '.join(args)}")
        table, dropped = fit_table(run_checked([*kubectl, *args], env).rstrip(), WIDTH)
        say(table)
        if dropped:
            say(f"({', '.join(dropped)} left out to fit {WIDTH} columns)")


def demo(config: DemoConfig) -> int:
    started = time.monotonic()
    deadline = started + config.deadline_seconds
    say(f"k8s-tasks demo: examples {', '.join(config.examples)}; work directory {config.workdir}")
    prepare(config)
    env = child_env(config)
    kubectl = [config.kubectl, "--cache-dir", str(config.workdir / "kube-cache")]
    services: list[Service] = []
    try:
        start_cluster(config, env, deadline, services)
        say(f"local cluster ready (nodes: {config.nodes_file.name}); kubeconfig {config.kubeconfig}")
        apply_queues(config, kubectl, env, deadline, services)
        schedules = apply_schedules(config.examples, kubectl, env)
        services.append(start_operator(config, env, schedules))
        plan = enqueue(config.examples, config.workdir) + scheduled_plan(schedules)
        say(f"enqueued {len(plan)} tasks; following them (operator log: {services[-1].log})\n")
        placement = Placement(kubectl, env)
        outcomes = follow(plan, placement, deadline, services)
        # Rows are final as soon as a pod writes them; the Jobs and the TaskQueue counts follow.
        settle(lambda: unfinished_jobs(kubectl, env), "the Jobs to finish", 15, deadline, services)
        settle(lambda: queues_busy(kubectl, env), "the TaskQueue counts to catch up", 10, deadline, services)
        placement.refresh()
        placement.annotate(outcomes)
        show_kubectl(kubectl, env, schedules=bool(schedules))
    finally:
        for service in reversed(services):
            stop(service)
    problems = all_problems(plan, outcomes)
    elapsed = time.monotonic() - started
    if problems:
        say(f"\nFAILED after {elapsed:.0f}s: {len(problems)} task(s) did not end as expected:")
        for text in problems:
            say(f"  - {text}")
        return 1
    say(f"\nOK: all {len(plan)} tasks ended as expected ({summary(outcomes)}) in {elapsed:.0f}s")
    return 0


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_exit)  # clean up the cluster and operator on SIGTERM too
    try:
        return demo(config)
    except DemoError as exc:
        say(f"\nDEMO COULD NOT RUN: {exc}")
        return 2
    except KeyboardInterrupt:
        say("\ninterrupted: the cluster and the operator were stopped")
        return 130
