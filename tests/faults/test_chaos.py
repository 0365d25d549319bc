"""The chaos run (chaos.py): a short one here, in every test run; the full one (300 tasks, 60 SIGKILLs, a
real PostgreSQL restart) with `make chaos`, which sets K8S_TASKS_CHAOS=full."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from kubernetes import client

from k8s_tasks.testing.cluster import LocalCluster
from tests.e2e import Operator, QueueFactory
from tests.faults import chaos
from tests.faults.conftest import probe_dispatches, wait_all_final
from tests.faults.ledger import assert_invariant

FULL = os.environ.get("K8S_TASKS_CHAOS") == "full"
SEED = int(os.environ.get("K8S_TASKS_CHAOS_SEED", "20261205"))


@pytest.mark.timeout(1800 if FULL else 420)
def test_chaos(
    operator: Operator,
    make_queue: QueueFactory,
    api: client.ApiClient,
    cluster: LocalCluster,
    ledger: Path,
    signals: Path,
) -> None:
    chaos.make_queues(make_queue)
    size = chaos.FULL if FULL else chaos.SHORT
    ids, done = chaos.run(
        size=size, seed=SEED, operator=operator, cluster=cluster, api=api, ledger=ledger, real_restart=FULL
    )
    wait_all_final(ids, timeout=600 if FULL else 240)
    sys.stdout.write(f"\nchaos (seed {SEED}, {len(ids)} tasks): {done.counts}\n")
    assert done.counts.get("operator SIGKILL", 0) >= size.kills
    assert_invariant(ids, ledger, signals, api)
    probe_dispatches("limited", ledger)
