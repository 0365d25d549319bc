"""The schedule loop: for each TaskSchedule, observe (the ledger, the runs' tasks, the schedule clock),
decide (k8s_tasks.schedules.ticks.decide: CronJob's rules), act (one transaction per tick:
k8s_tasks.schedules.runs.decide_tick), tell (an Event and a log line per tick, counters) and report (the
status, patched when it changed). Level-triggered: a schedule is looked at when its next tick is due,
every --status-seconds while it has runs active (they end; Forbid may start a tick late), every
--resync-seconds otherwise, and at once on a watch event; the TaskSchedules are listed again every
--resync-seconds (kopf's watch only makes changes arrive sooner). Every replica runs it; the ledger's
unique key makes each tick's run exactly once, and only the replica whose write won tells about it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime
from typing import Any

from kubernetes.client.exceptions import ApiException

from k8s_tasks.schedules import runs
from k8s_tasks.schedules.ticks import Decision, decide

from .. import kube
from ..runtime import Runtime, blocking, logger, post_event
from .clock import FILE_POLL_SECONDS, ScheduleClock
from .metrics import counted
from .registry import ScheduleRegistry, ScheduleState
from .status import comparable, invalid_status, schedule_status, stamp, with_transition

STATES = {"enqueue": "enqueued", "skip": "skipped"}
MISSING_CRD_SECONDS = 60.0  # without the TaskSchedule CRD, look again this often
TRIM_SECONDS = 600.0  # how often ledger rows whose tasks were pruned are deleted
TRIM_BATCHES = 10  # batches of runs.trim per time, at most
WAKE_MARGIN = 0.05  # seconds after a tick's time before its pass (the clock has passed it)


class Scheduler:
    def __init__(self, rt: Runtime, clock: ScheduleClock) -> None:
        self.rt, self.clock = rt, clock
        self.registry = ScheduleRegistry(rt.config.namespace)
        self.wake = asyncio.Event()
        self.next_listing = 0.0
        self.listed_once = False
        self.listing_ok = False
        """The last listing succeeded: the registry holds every TaskSchedule (trimming relies on it)."""
        self.next_trim = time.monotonic() + TRIM_SECONDS
        self.last_status: dict[str, dict[str, Any]] = {}
        self.due: dict[str, float] = {}
        """Per schedule uid: when (monotonic) to look at it next; a watch event or a listing resets it."""
        self.passes = 0

    # -- watch and listing -------------------------------------------------------------------------------

    def apply(self, event_type: str | None, body: dict[str, Any]) -> None:
        """A watch event (kopf): the registry is updated and the schedule looked at at once."""
        self.registry.apply(event_type, body)
        self.due.pop(str((body.get("metadata") or {}).get("uid") or ""), None)
        self.wake.set()

    async def relist(self) -> None:
        self.next_listing = time.monotonic() + self.rt.config.resync_seconds
        namespace = self.rt.config.namespace
        try:
            items, version = await blocking(kube.list_schedules, namespace)
        except ApiException as error:
            if error.status not in (403, 404):
                raise
            self.next_listing = time.monotonic() + MISSING_CRD_SECONDS
            if not self.listed_once or self.registry.all():
                why = (
                    "the TaskSchedule CRD is not installed (python -m k8s_tasks_operator crd | kubectl apply "
                    "-f -)"
                    if error.status == 404
                    else "this operator may not list taskschedules (its Role lacks it: upgrade the chart)"
                )
                logger.info("schedules are off: %s; looking again every %.0fs", why, MISSING_CRD_SECONDS)
            self.registry.clear()
            self.listed_once = True
            self.listing_ok = False
            return
        self.registry.apply_listing(items, version)
        self.listing_ok = True
        self.due.clear()
        if not self.listed_once:
            logger.info("loaded %d TaskSchedule(s)", len(items))
        self.listed_once = True

    # -- the loop ----------------------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            self.wake.clear()
            delay = self.rt.config.status_seconds
            try:
                delay = await self.pass_once()
            except Exception:
                logger.exception("schedule pass failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=max(delay, 0.01))

    async def pass_once(self) -> float:
        """One pass over every TaskSchedule; the seconds until the next pass is due."""
        if time.monotonic() >= self.next_listing:
            await self.relist()
        self.passes += 1
        delay = self.rt.config.resync_seconds
        for state in self.registry.all():
            due = self.due.get(state.uid, 0.0)
            if due > time.monotonic() and not self.clock.manual:
                delay = min(delay, due - time.monotonic())
                continue
            wait = self.rt.config.status_seconds  # after a failure: again soon
            try:
                wait = await self.handle(state)
            except Exception:
                logger.exception("TaskSchedule %s: pass failed; will retry", state.name)
            self.due[state.uid] = time.monotonic() + wait
            delay = min(delay, wait)
        if self.clock.manual:
            delay = min(delay, FILE_POLL_SECONDS)
        if time.monotonic() >= self.next_trim:
            await self.trim()
        return max(delay, 0.0)

    async def trim(self) -> None:
        """The ledger shrinks as task rows are pruned (each live schedule keeps its newest row)."""
        self.next_trim = time.monotonic() + TRIM_SECONDS
        if not self.listing_ok:
            return
        live = self.registry.uids()
        for using in self.rt.served.databases:
            deleted = 0
            for _ in range(TRIM_BATCHES):
                done = await blocking(runs.trim, using, self.rt.config.namespace, live)
                deleted += done
                if done == 0:
                    break
            if deleted:
                logger.info("schedule ledger: %d row(s) of pruned runs deleted (database %s)", deleted, using)

    async def handle(self, state: ScheduleState) -> float:
        """Decide and act for one schedule; the seconds until it should be looked at again."""
        spec = state.spec
        idle = self.rt.config.resync_seconds
        if spec is None:
            await self.report(state, invalid_status(state), None)
            return idle  # only a change of its spec (a watch event) can change that
        if spec.backend not in self.rt.served.backends:
            return idle  # another operator serves that backend's database
        using = spec.database
        observed = await blocking(runs.observe, using, state.uid)
        now = await blocking(self.clock.now, using)
        decision = decide(
            spec.cron,
            spec.zone,
            policy=spec.policy,
            deadline_seconds=spec.deadline_seconds,
            suspend=spec.suspend,
            created=state.created,
            last_enqueued=observed.last_enqueued,
            newest=observed.newest,
            active=observed.active,
            now=now,
        )
        if decision.tick is not None and (decision.action == "enqueue" or decision.record):
            key = runs.ScheduleKey(state.uid, state.namespace, state.name, state.created)
            written = await blocking(
                runs.decide_tick,
                key,
                spec,
                decision.tick,
                STATES[decision.action],
                now,
                replace=decision.replace,
            )
            if written.outcome == "written":
                await self.tell(state, decision, written)
                observed = await blocking(runs.observe, using, state.uid)
        views = await blocking(runs.history, using, state.uid)
        await self.report(state, schedule_status(state, decision, observed, views), now)
        busy = bool(observed.active_runs) or decision.action == "skip"
        wait = self.rt.config.status_seconds if busy else idle
        if decision.next_tick is not None:
            wait = min(wait, max((decision.next_tick - now).total_seconds(), 0.0) + WAKE_MARGIN)
        return wait

    # -- telling and reporting -----------------------------------------------------------------------------

    async def tell(self, state: ScheduleState, decision: Decision, written: runs.Written) -> None:
        """One Event and one log line per tick decided, by the replica whose write won; the counters."""
        spec = state.spec
        assert spec is not None and decision.tick is not None
        name = f"{state.namespace}/{state.name}"
        when = stamp(decision.tick)
        if decision.action == "enqueue":
            message = (
                f"Enqueued task {written.task_id} for {when} ({spec.task_path} on queue {spec.queue_name})"
            )
            await post_event(state.reference, "Enqueued", message)
            if written.cancelled:
                replaced = ", ".join(written.cancelled)
                why = f"Cancelled run(s) {replaced} to start the run for {when} (concurrencyPolicy Replace)"
                await post_event(state.reference, "Replaced", why)
            counted(name, enqueued=1, missed=written.passed_over)
        else:
            message = (
                f"Not starting the run for {when}: run {decision.active[0]} is still active and "
                f"concurrencyPolicy is Forbid"
            )
            await post_event(state.reference, "AlreadyActive", message)
            counted(name, skipped=1, missed=written.passed_over)
        logger.info(
            "TaskSchedule %s: %s (runs %d, skipped %d, missed %d)",
            name,
            message,
            written.totals.runs,
            written.totals.skipped,
            written.totals.missed,
        )
        if written.passed_over:
            about = "" if written.exact else "about "
            missed = (
                f"{about}{written.passed_over} tick(s) before {when} were not started (no operator ran, the "
                "schedule was suspended, a later tick came first, or startingDeadlineSeconds passed)"
            )
            await post_event(state.reference, "MissSchedule", missed, warning=True)
            logger.warning("TaskSchedule %s: %s", name, missed)
        if decision.many:
            await post_event(
                state.reference,
                "TooManyMissedTimes",
                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock "
                "skew",
                warning=True,
            )

    async def report(self, state: ScheduleState, status: dict[str, Any], now: datetime | None) -> None:
        """Patch the status when it changed since this process last patched it."""
        previous = self.last_status.get(state.uid) or state.status
        if comparable(previous) == comparable(status) and state.uid in self.last_status:
            return
        if now is None:
            now = datetime.now().astimezone()
        with_transition(status, previous, now)
        try:
            await blocking(kube.patch_schedule_status, state.namespace, state.name, status)
            self.last_status[state.uid] = status
        except Exception:
            logger.exception("could not update the status of TaskSchedule %s", state.name)
