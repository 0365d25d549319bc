"""The operator's metrics: where they are served (configuration), what they render, the HTTP endpoint."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from k8s_tasks_operator import metrics
from k8s_tasks_operator.config import OperatorConfig, parse_address, parse_args
from k8s_tasks_operator.runtime import Runtime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0.0.0:9090", ("0.0.0.0", 9090)),
        ("127.0.0.1:1", ("127.0.0.1", 1)),
        (":9090", ("0.0.0.0", 9090)),
        ("[::]:9090", ("::", 9090)),
        ("[::1]:65535", ("::1", 65535)),
        ("metrics.local:8000", ("metrics.local", 8000)),
    ],
)
def test_address_forms(value: str, expected: tuple[str, int]) -> None:
    assert parse_address(value, "K8S_TASKS_METRICS") == expected


@pytest.mark.parametrize("value", ["9090", "0.0.0.0", "0.0.0.0:0", "0.0.0.0:65536", "host:http", "::1:9090"])
def test_bad_address_names_the_source_the_value_and_the_fix(value: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_address(value, "--metrics")
    message = str(raised.value)
    assert f"--metrics={value!r}" in message
    assert "HOST:PORT" in message and "0.0.0.0:9090" in message and "unset" in message


def test_metrics_are_off_unless_asked() -> None:
    assert parse_args([], {}).metrics is None
    assert parse_args([], {"K8S_TASKS_METRICS": ""}).metrics is None


def test_flag_wins_over_environment() -> None:
    assert parse_args([], {"K8S_TASKS_METRICS": "0.0.0.0:9090"}).metrics == ("0.0.0.0", 9090)
    config = parse_args(["--metrics", "127.0.0.1:9100"], {"K8S_TASKS_METRICS": "0.0.0.0:9090"})
    assert config.metrics == ("127.0.0.1", 9100)


def test_bad_environment_value_stops_with_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args([], {"K8S_TASKS_METRICS": "9090"})
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "K8S_TASKS_METRICS='9090'" in err and "HOST:PORT" in err


def samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_collector_renders_queue_counts_and_active_jobs() -> None:
    rt = Runtime(config=OperatorConfig())
    rt.jobs.active = {"gpu": {"job-a", "job-b"}, "default": set()}
    metrics.set_queue_counts({"default": {"ready": 3, "running": 1, "succeeded": 5, "failed": 2}, "gpu": {}})
    registry = CollectorRegistry()
    registry.register(metrics.RuntimeCollector(rt))

    got = samples(registry)

    assert got[("k8s_tasks_active_jobs", (("queue", "gpu"),))] == 2
    assert got[("k8s_tasks_active_jobs", (("queue", "default"),))] == 0
    for status, count in {"ready": 3, "running": 1, "succeeded": 5, "failed": 2}.items():
        assert got[("k8s_tasks_queue_tasks", (("queue", "default"), ("status", status)))] == count
        assert got[("k8s_tasks_queue_tasks", (("queue", "gpu"), ("status", status)))] == 0
    metrics.set_queue_counts({})  # a queue that is gone leaves no series behind
    assert not any(name == "k8s_tasks_queue_tasks" for name, _ in samples(registry))


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_counters_and_the_dispatch_histogram() -> None:
    before = {
        "created": value("k8s_tasks_jobs_created_total", queue="unit"),
        "oom": value("k8s_tasks_task_outcomes_total", queue="unit", outcome="failed", reason="PodOOMKilled"),
        "watch": value("k8s_tasks_watch_errors_total", kind="jobs"),
        "passes": value("k8s_tasks_dispatch_seconds_count"),
    }
    metrics.job_created("unit")
    metrics.job_created("unit")
    metrics.task_outcome("unit", "failed", "PodOOMKilled")
    metrics.watch_error("jobs")

    @metrics.timed_dispatch
    async def one_pass(n: int) -> int:
        return n

    assert asyncio.run(one_pass(7)) == 7

    assert value("k8s_tasks_jobs_created_total", queue="unit") == before["created"] + 2
    assert (
        value("k8s_tasks_task_outcomes_total", queue="unit", outcome="failed", reason="PodOOMKilled")
        == before["oom"] + 1
    )
    assert value("k8s_tasks_watch_errors_total", kind="jobs") == before["watch"] + 1
    assert value("k8s_tasks_dispatch_seconds_count") == before["passes"] + 1


def test_endpoint_serves_metrics_over_http_and_closes() -> None:
    rt = Runtime(config=OperatorConfig())
    rt.jobs.active = {"served": {"job-a"}}
    endpoint = metrics.serve(("127.0.0.1", 0), rt)  # port 0: any free port
    try:
        port = endpoint.server.server_port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            body = response.read().decode()
    finally:
        endpoint.close()
    assert 'k8s_tasks_active_jobs{queue="served"} 1.0' in body
    assert "# HELP k8s_tasks_jobs_created_total" in body
    assert "process_resident_memory_bytes" in body
    assert "k8s_tasks_jobs_created_created" not in body  # no per-counter creation-time series
    assert b"k8s_tasks_active_jobs" not in generate_latest(metrics.REGISTRY)  # closed: its gauges went
