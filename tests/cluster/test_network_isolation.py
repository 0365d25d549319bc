"""NetworkPolicy in the local kubelet: a pod whose egress every governing policy denies runs in a network
namespace of its own (only a loopback that is down), so it cannot reach PostgreSQL on 127.0.0.1:5432 while
an unselected pod can; a policy that allows some egress cannot be enforced here, so its pods run on the host
network with a Warning event saying so; without unshare a deny-all pod is refused, never run open."""

import textwrap

import pytest
from kubernetes import client

from k8s_tasks.testing.cluster import LocalCluster
from k8s_tasks.testing.sim import sandbox
from tests.cluster.conftest import PY, job_manifest
from tests.waiting import wait_until

PROBE = textwrap.dedent(
    """
    import socket
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=3).close()
        print("connected")
    except OSError as exc:
        print(f"refused: {exc}")
    """
)
needs_namespaces = pytest.mark.skipif(sandbox.available() is not None, reason=f"{sandbox.available()}")


def postgres_listening() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


def policy(name: str, selector: dict, egress: list | None, types: list[str] | None = None) -> dict:
    spec: dict = {"podSelector": selector}
    if types is not None:
        spec["policyTypes"] = types
    if egress is not None:
        spec["egress"] = egress
    return {"metadata": {"name": name}, "spec": spec}


def run_probe(batch: client.BatchV1Api, core: client.CoreV1Api, name: str, labels: dict) -> str:
    job = job_manifest(name, [PY, "-c", PROBE])
    job["spec"]["template"]["metadata"] = {"labels": labels}
    batch.create_namespaced_job("default", job)

    def log() -> str:
        pods = core.list_namespaced_pod("default", label_selector=f"job-name={name}").items
        if not pods or pods[0].status.phase not in ("Succeeded", "Failed"):
            return ""
        return core.read_namespaced_pod_log(pods[0].metadata.name, "default").strip() or "(empty log)"

    return str(wait_until(log, timeout=60, what=f"the probe {name} to end"))


@needs_namespaces
def test_deny_all_egress_pod_cannot_reach_postgres_and_an_unselected_pod_can(
    local_cluster: LocalCluster, batch, core
) -> None:
    if not postgres_listening():
        pytest.skip("nothing listens on 127.0.0.1:5432 on this machine")
    net = client.NetworkingV1Api(core.api_client)
    net.create_namespaced_network_policy(
        "default", policy("sealed", {"matchLabels": {"sealed": "yes"}}, None, ["Ingress", "Egress"])
    )
    assert run_probe(batch, core, "open", {"sealed": "no"}) == "connected"
    assert (
        run_probe(batch, core, "closed", {"sealed": "yes"}) == "refused: [Errno 101] Network is unreachable"
    )


@needs_namespaces
def test_only_a_down_loopback_inside(batch, core) -> None:
    net = client.NetworkingV1Api(core.api_client)
    net.create_namespaced_network_policy("default", policy("all", {}, [], ["Egress"]))
    job = job_manifest("links", ["/bin/sh", "-c", "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '"])
    batch.create_namespaced_job("default", job)

    def log() -> str:
        pods = core.list_namespaced_pod("default", label_selector="job-name=links").items
        if not pods or pods[0].status.phase != "Succeeded":
            return ""
        return core.read_namespaced_pod_log(pods[0].metadata.name, "default")

    assert wait_until(log, timeout=60, what="the links listing").split() == ["lo"]


@needs_namespaces
def test_a_policy_allowing_some_egress_is_not_enforced_and_says_so(
    local_cluster: LocalCluster, batch, core
) -> None:
    net = client.NetworkingV1Api(core.api_client)
    net.create_namespaced_network_policy("default", policy("deny", {}, None, ["Egress"]))
    allow = [{"to": [{"ipBlock": {"cidr": "127.0.0.1/32"}}], "ports": [{"port": 5432}]}]
    net.create_namespaced_network_policy(
        "default", policy("allow-db", {"matchLabels": {"app": "web"}}, allow)
    )
    output = run_probe(batch, core, "web", {"app": "web"})
    assert output in ("connected", "refused: [Errno 111] Connection refused")  # the host network
    pod = core.list_namespaced_pod("default", label_selector="job-name=web").items[0].metadata.name
    events = core.list_namespaced_event("default", field_selector=f"involvedObject.name={pod}").items
    warnings = [e for e in events if e.reason == "NetworkPolicyNotEnforced"]
    assert len(warnings) == 1 and warnings[0].type == "Warning"
    assert warnings[0].message == (
        "NetworkPolicy default/allow-db allows some egress, which this local cluster cannot enforce (it has "
        "no CNI; only a policy that denies all egress is enforced, by a network namespace of the pod's own): "
        "the pod runs on the host network"
    )


def test_without_unshare_a_deny_all_pod_is_refused(
    local_cluster: LocalCluster, batch, core, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> str:
        raise sandbox.SandboxUnavailable("the unshare command (util-linux) is not installed")

    monkeypatch.setattr(sandbox, "_unshare", unavailable)
    net = client.NetworkingV1Api(core.api_client)
    net.create_namespaced_network_policy("default", policy("sealed", {}, None, ["Egress"]))
    job = job_manifest("refused", [PY, "-c", PROBE])
    job["spec"]["template"]["spec"]["automountServiceAccountToken"] = False
    batch.create_namespaced_job("default", job)

    def terminated() -> client.V1ContainerStateTerminated | None:
        pods = core.list_namespaced_pod("default", label_selector="job-name=refused").items
        statuses = pods[0].status.container_statuses if pods else None
        return statuses[0].state.terminated if statuses else None

    state = wait_until(terminated, timeout=30, what="the refused pod's container")
    assert (state.exit_code, state.reason) == (128, "StartError")
    assert state.message == (
        "the pod's NetworkPolicy denies all egress, but this machine cannot give it a network namespace of "
        "its own (the unshare command (util-linux) is not installed); it is not started on the host network"
    )
