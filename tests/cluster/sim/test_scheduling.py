"""The scheduler's pure decisions: filters in the real order and the real FailedScheduling message."""

from decimal import Decimal

import pytest

from k8s_tasks.testing.sim.nodes import NodeSpec, node_manifest
from k8s_tasks.testing.sim.quantity import parse_quantity
from k8s_tasks.testing.sim.scheduling import add_usage, choose_node, pod_requests

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


def nodes():
    cpu = NodeSpec("cpu-1", {"pool": "cpu"}, (), {"cpu": "4", "memory": "8Gi", "pods": "110"})
    gpu = NodeSpec("gpu-1", {"pool": "gpu"}, (GPU_TAINT,), {"cpu": "8", "nvidia.com/gpu": "1", "pods": "110"})
    return [node_manifest(cpu, 0), node_manifest(gpu, 1)]


def pod(**spec):
    container = {"name": "main", "resources": spec.pop("resources", {})}
    return {"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": [container], **spec}}


@pytest.mark.parametrize(
    ("text", "value"),
    [("500m", Decimal("0.5")), ("64Mi", Decimal(64 * 2**20)), ("1G", Decimal(10**9)), ("2", Decimal(2))],
)
def test_quantities(text, value):
    assert parse_quantity(text) == value


def test_bad_quantity_names_the_value():
    with pytest.raises(ValueError, match="'12xyz'"):
        parse_quantity("12xyz")


def test_gpu_pod_without_toleration_gets_the_real_message():
    gpu_pod = pod(resources={"limits": {"nvidia.com/gpu": "1"}})
    node, message = choose_node(gpu_pod, nodes(), {})
    assert node is None
    assert message == (
        "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, "
        "1 node(s) had untolerated taint {nvidia.com/gpu: present}. "
        "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
        "1 Preemption is not helpful for scheduling."
    )


def test_tolerating_gpu_pod_lands_on_the_gpu_node_and_uses_it_up():
    gpu_pod = pod(
        resources={"limits": {"nvidia.com/gpu": "1"}},
        tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    )
    node, _ = choose_node(gpu_pod, nodes(), {})
    assert node == "gpu-1"
    usage = {"gpu-1": {}}
    add_usage(usage["gpu-1"], pod_requests(gpu_pod))
    node, message = choose_node(gpu_pod, nodes(), usage)
    assert node is None
    assert message.startswith("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.")


def test_node_selector_mismatch_and_no_nodes():
    _, message = choose_node(pod(nodeSelector={"pool": "highmem"}), nodes()[:1], {})
    assert message.startswith("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.")
    assert choose_node(pod(), [], {}) == (None, "no nodes available to schedule pods")


def test_required_node_affinity_in():
    term = {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["cpu"]}]}
    required = {"nodeSelectorTerms": [term]}
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}
    assert choose_node(pod(affinity=affinity), nodes(), {})[0] == "cpu-1"


def test_requests_default_to_limits_and_init_containers_take_the_max():
    p = pod(resources={"limits": {"memory": "1Gi", "cpu": "1"}, "requests": {"cpu": "250m"}})
    p["spec"]["initContainers"] = [{"name": "init", "resources": {"requests": {"cpu": "2"}}}]
    assert pod_requests(p) == {"cpu": Decimal(2), "memory": Decimal(2**30)}
