"""NODES.yaml parsing: the issue's format, and clear errors naming the field."""

import pytest

from k8s_tasks.testing.sim.nodes import load_nodes

EXAMPLE = """
nodes:
  - name: gpu-1
    labels: {pool: gpu}
    taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
    allocatable: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "1", pods: "110"}
  - name: cpu-1
"""


def test_issue_format(tmp_path):
    path = tmp_path / "nodes.yaml"
    path.write_text(EXAMPLE)
    gpu, cpu = load_nodes(path)
    assert gpu.labels == {"pool": "gpu"}
    assert gpu.taints == ({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},)
    assert gpu.allocatable["nvidia.com/gpu"] == "1"
    assert cpu.name == "cpu-1" and cpu.allocatable["pods"] == "110"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "nodes: [{name: a, allocatable: {cpu: lots}}]",
            "nodes[0].allocatable.cpu: invalid resource quantity 'lots'",
        ),
        ("nodes: [{name: a, taints: [{key: k, effect: Never}]}]", "nodes[0].taints[0].effect: 'Never'"),
        ("nodes: [{name: a}, {name: a}]", "duplicate node name(s) ['a']"),
        ("nodes: [{nme: a}]", "unknown field(s) ['nme']"),
        ("pools: []", "expected a top-level 'nodes:' list"),
    ],
)
def test_errors_name_the_field(tmp_path, text, fragment):
    path = tmp_path / "nodes.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as info:
        load_nodes(path)
    assert fragment in str(info.value)
