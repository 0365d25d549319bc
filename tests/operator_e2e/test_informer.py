"""The operator's own list-and-watch of Jobs (informer.Informer) against the local cluster: the first
listing, events after it, a dropped watch resumed without a new listing, and a 410 answered by one."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client, config

from k8s_tasks.testing.cluster import LocalCluster
from k8s_tasks_operator import kube
from k8s_tasks_operator.informer import Informer
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster(runtime="fake", fake_seconds=3600)


def job(name: str, managed: bool = True) -> dict[str, Any]:
    labels = {"app.kubernetes.io/managed-by": "k8s-tasks"} if managed else {"app": "other"}
    container = {"name": "task", "image": "app:1", "command": ["true"]}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": labels},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [container]}}},
    }


class Seen:
    """What the informer delivered, and a way to await a condition on it."""

    def __init__(self) -> None:
        self.listings: list[list[str]] = []
        self.events: list[tuple[str, str]] = []
        self.changed = asyncio.Event()

    def on_list(self, items: list[dict[str, Any]]) -> None:
        assert threading.current_thread() is threading.main_thread(), "handlers run on the loop's thread"
        self.listings.append(sorted(item["metadata"]["name"] for item in items))
        self.changed.set()

    def on_event(self, kind: str, obj: dict[str, Any]) -> None:
        self.events.append((kind, obj["metadata"]["name"]))
        self.changed.set()

    async def until(self, predicate: Callable[[], bool]) -> None:
        deadline = asyncio.get_running_loop().time() + 15.0
        while not predicate():
            self.changed.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out: listings={self.listings} events={self.events}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


@pytest.fixture
def batch(local_cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[client.BatchV1Api]:
    monkeypatch.setenv("KUBECONFIG", str(local_cluster.kubeconfig_path))
    monkeypatch.setattr(kube, "_configured", False)  # this test's cluster, not an earlier one's
    monkeypatch.setattr(kube, "_local", threading.local())
    api = config.new_client_from_config(str(local_cluster.kubeconfig_path))
    yield client.BatchV1Api(api)
    api.close()


async def start(seen: Seen) -> Informer:
    return Informer("jobs", "default", asyncio.get_running_loop(), seen.on_list, seen.on_event).start()


async def test_lists_then_delivers_events_of_our_jobs_only(batch: client.BatchV1Api) -> None:
    batch.create_namespaced_job("default", job("before"))
    batch.create_namespaced_job("default", job("not-ours", managed=False))
    seen = Seen()
    informer = await start(seen)
    try:
        await seen.until(lambda: bool(seen.listings))
        assert seen.listings == [["before"]]
        batch.create_namespaced_job("default", job("after"))
        batch.delete_namespaced_job("before", "default")
        await seen.until(lambda: ("DELETED", "before") in seen.events)
        assert ("ADDED", "after") in seen.events
        assert all(name != "not-ours" for _, name in seen.events)
        assert seen.events.index(("ADDED", "after")) < seen.events.index(("DELETED", "before"))
    finally:
        informer.stop.set()


async def test_a_dropped_watch_resumes_without_listing_again(
    batch: client.BatchV1Api, local_cluster: LocalCluster
) -> None:
    seen = Seen()
    informer = await start(seen)
    try:
        await seen.until(lambda: bool(seen.listings))
        local_cluster.faults.drop_watches()
        batch.create_namespaced_job("default", job("while-reconnecting"))
        await seen.until(lambda: ("ADDED", "while-reconnecting") in seen.events)
        assert len(seen.listings) == 1, "resumed from its resourceVersion: no second listing"
        assert seen.events.count(("ADDED", "while-reconnecting")) == 1
    finally:
        informer.stop.set()


@pytest.mark.cluster(runtime="fake", fake_seconds=3600, bookmark_seconds=3600)
async def test_gone_410_lists_again(batch: client.BatchV1Api, local_cluster: LocalCluster) -> None:
    suspended = job("suspended")
    suspended["spec"]["suspend"] = True  # the Job controller marks it Suspended once, then leaves it be
    batch.create_namespaced_job("default", suspended)
    wait_until(
        lambda: any(
            c.type == "Suspended"
            for c in batch.read_namespaced_job("suspended", "default").status.conditions or ()
        ),
        what="the Job to be marked Suspended",
    )
    seen = Seen()
    informer = await start(seen)
    try:
        await seen.until(lambda: bool(seen.listings))
        core = client.CoreV1Api(batch.api_client)
        core.create_namespaced_config_map("default", {"metadata": {"name": "newer"}})  # a newer version
        local_cluster.call(local_cluster.store.compact)  # Job history gone up to it: resuming is 410
        local_cluster.faults.drop_watches()
        await seen.until(lambda: len(seen.listings) == 2)
        assert seen.listings == [["suspended"], ["suspended"]]
        batch.create_namespaced_job("default", job("later"))
        await seen.until(lambda: ("ADDED", "later") in seen.events)
    finally:
        informer.stop.set()
