"""Admission, in kube-apiserver's order and words: ServiceAccount, PriorityClass and RuntimeClass existence,
LimitRange defaults, the default not-ready/unreachable tolerations, Pod Security for namespaces labelled
pod-security.kubernetes.io/enforce, and ResourceQuota (usage in its status, 403 exceeded quota). A pod the
Job controller cannot create gives the Job a FailedCreate event and is retried."""

import json

import pytest
import yaml

from tests.cluster.conftest import job_manifest
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster(runtime="fake", fake_seconds=60)


def run_pod(kubectl, name: str, spec: dict | None = None, namespace: str = "default"):
    overrides = json.dumps({"spec": spec}) if spec else "{}"
    return kubectl("-n", namespace, "run", name, "--image=busybox", f"--overrides={overrides}", check=False)


REFUSED = [
    (
        {"serviceAccountName": "nope"},
        'pods "p" is forbidden: error looking up service account default/nope: serviceaccount "nope" not '
        "found",
    ),
    ({"priorityClassName": "high"}, 'pods "p" is forbidden: no PriorityClass with name high was found'),
    ({"runtimeClassName": "gvisor"}, 'pods "p" is forbidden: pod rejected: RuntimeClass "gvisor" not found'),
]


@pytest.mark.parametrize(
    ("spec", "message"), REFUSED, ids=["serviceaccount", "priorityclass", "runtimeclass"]
)
def test_missing_references_are_refused(kubectl, spec, message) -> None:
    done = run_pod(kubectl, "p", spec)
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error from server (Forbidden): {message}"


def test_a_job_whose_pod_is_refused_records_failed_create_and_retries(kubectl, batch, core) -> None:
    job = job_manifest("j", ["true"])
    job["spec"]["template"]["spec"]["serviceAccountName"] = "worker"
    batch.create_namespaced_job("default", job)

    def failed_create() -> list:
        events = core.list_namespaced_event("default", field_selector="involvedObject.name=j").items
        return [e for e in events if e.reason == "FailedCreate"]

    event = wait_until(failed_create, what="the FailedCreate event")[0]
    assert (event.type, event.source.component) == ("Warning", "job-controller")
    assert event.message == (
        'Error creating: pods "j-" is forbidden: error looking up service account default/worker: '
        'serviceaccount "worker" not found'
    )
    kubectl("create", "serviceaccount", "worker")
    wait_until(
        lambda: core.list_namespaced_pod("default", label_selector="job-name=j").items,
        timeout=20,
        what="the Job's pod once its ServiceAccount exists",
    )


def test_priority_and_runtime_classes_are_applied(kubectl, core) -> None:
    classes = [
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "high"},
            "value": 1000,
        },
        {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": {"name": "gvisor"},
            "handler": "runsc",
            "overhead": {"podFixed": {"cpu": "250m"}},
            "scheduling": {"nodeSelector": {"pool": "default"}},
        },
    ]
    kubectl("apply", "-f", "-", input=yaml.safe_dump_all(classes))
    assert run_pod(kubectl, "p", {"priorityClassName": "high", "runtimeClassName": "gvisor"}).returncode == 0
    spec = core.read_namespaced_pod("p", "default").spec
    assert (spec.priority, spec.preemption_policy, spec.overhead) == (
        1000,
        "PreemptLowerPriority",
        {"cpu": "250m"},
    )
    assert spec.node_selector == {"pool": "default"}
    assert run_pod(kubectl, "q").returncode == 0
    assert core.read_namespaced_pod("q", "default").spec.priority == 0


def test_default_tolerations(kubectl, core) -> None:
    assert run_pod(kubectl, "p").returncode == 0
    tolerations = [t.to_dict() for t in core.read_namespaced_pod("p", "default").spec.tolerations]
    assert tolerations == [
        {"effect": "NoExecute", "key": key, "operator": "Exists", "toleration_seconds": 300, "value": None}
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
    ]
    own = {
        "tolerations": [
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}
        ]
    }
    assert run_pod(kubectl, "q", own).returncode == 0
    keys = [t.key for t in core.read_namespaced_pod("q", "default").spec.tolerations]
    assert keys == ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"]


def test_limit_range_defaults(kubectl, core) -> None:
    limit_range = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "defaults"},
        "spec": {
            "limits": [
                {"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"memory": "64Mi"}}
            ]
        },
    }
    kubectl("apply", "-f", "-", input=yaml.safe_dump(limit_range))
    assert (
        run_pod(
            kubectl,
            "p",
            {"containers": [{"name": "p", "image": "busybox", "resources": {"requests": {"cpu": "100m"}}}]},
        ).returncode
        == 0
    )
    pod = core.read_namespaced_pod("p", "default")
    resources = pod.spec.containers[0].resources
    assert (resources.limits, resources.requests) == ({"cpu": "500m"}, {"cpu": "100m", "memory": "64Mi"})
    assert pod.metadata.annotations["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: memory request for container p; cpu limit for container p"
    )
    assert pod.status.qos_class == "Burstable"


def test_resource_quota_status_and_exceeded(kubectl, core) -> None:
    kubectl("create", "quota", "compute", "--hard=pods=2,requests.cpu=1,limits.memory=1Gi,count/jobs.batch=1")

    def used() -> dict:
        status = core.read_namespaced_resource_quota("compute", "default").status
        return status.used if status and status.used else {}

    wait_until(
        lambda: used() == {"count/jobs.batch": "0", "limits.memory": "0", "pods": "0", "requests.cpu": "0"},
        what="the quota's status",
    )
    unbounded = run_pod(kubectl, "bare")
    assert unbounded.stderr.strip() == (
        'Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: must specify '
        "limits.memory for: bare; requests.cpu for: bare"
    )
    sized = {"requests": {"cpu": "600m"}, "limits": {"memory": "512Mi"}}
    for name in ("a", "b"):
        spec = {"containers": [{"name": name, "image": "busybox", "resources": sized}]}
        done = run_pod(kubectl, name, spec)
        if name == "a":
            assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        'Error from server (Forbidden): pods "b" is forbidden: exceeded quota: compute, requested: '
        "requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1"
    )
    assert used() == {"count/jobs.batch": "0", "limits.memory": "512Mi", "pods": "1", "requests.cpu": "600m"}
    kubectl("create", "job", "one", "--image=busybox", "--", "true")
    second = kubectl("create", "job", "two", "--image=busybox", "--", "true", check=False)
    assert second.stderr.strip() == (
        'error: failed to create job: jobs.batch "two" is forbidden: exceeded quota: compute, requested: '
        "count/jobs.batch=1, used: count/jobs.batch=1, limited: count/jobs.batch=1"
    )
    kubectl("delete", "pod", "a", "--wait=false")
    wait_until(lambda: used().get("pods") == "0", timeout=20, what="the quota to give the pod's usage back")


SECURE_POD = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "p",
            "image": "busybox",
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        }
    ],
}


def test_pod_security_admission(kubectl) -> None:
    kubectl("create", "namespace", "secure")
    kubectl("label", "namespace", "secure", "pod-security.kubernetes.io/enforce=restricted")
    refused = run_pod(kubectl, "p", None, "secure")
    assert refused.stderr.strip() == (
        'Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity "restricted:latest": '
        'allowPrivilegeEscalation != false (container "p" must set '
        "securityContext.allowPrivilegeEscalation=false), "
        'unrestricted capabilities (container "p" must set securityContext.capabilities.drop=["ALL"]), '
        'runAsNonRoot != true (pod or container "p" must set securityContext.runAsNonRoot=true), '
        'seccompProfile (pod or container "p" must set securityContext.seccompProfile.type to '
        '"RuntimeDefault" or "Localhost")'
    )
    assert run_pod(kubectl, "p", SECURE_POD, "secure").returncode == 0
    kubectl("create", "namespace", "base")
    kubectl(
        "label",
        "namespace",
        "base",
        "pod-security.kubernetes.io/enforce=baseline",
        "pod-security.kubernetes.io/enforce-version=v1.37",
    )
    host = {
        "hostNetwork": True,
        "containers": [{"name": "p", "image": "busybox", "securityContext": {"privileged": True}}],
    }
    refused = run_pod(kubectl, "p", host, "base")
    assert refused.stderr.strip() == (
        'Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity "baseline:v1.37": host '
        'namespaces (hostNetwork=true), privileged (container "p" must not set '
        "securityContext.privileged=true)"
    )
    assert run_pod(kubectl, "p", None, "base").returncode == 0  # root is fine at baseline
    assert run_pod(kubectl, "h", host).returncode == 0  # no label: no enforcement


def test_pod_security_warnings_for_pods_and_workload_templates(kubectl) -> None:
    kubectl("create", "namespace", "w")
    labels = ("pod-security.kubernetes.io/warn=restricted", "pod-security.kubernetes.io/enforce=baseline")
    kubectl("label", "namespace", "w", *labels)
    warning = (
        'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
        '(container "{0}" must set securityContext.allowPrivilegeEscalation=false), unrestricted '
        'capabilities (container "{0}" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot '
        '!= true (pod or container "{0}" must set securityContext.runAsNonRoot=true), seccompProfile (pod or '
        'container "{0}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
    )
    pod = run_pod(kubectl, "p", None, "w")
    assert (pod.returncode, pod.stderr.strip()) == (0, warning.format("p"))
    deployment = kubectl("-n", "w", "create", "deployment", "d", "--image=busybox")
    assert deployment.stderr.strip() == warning.format("busybox")
    assert run_pod(kubectl, "s", SECURE_POD, "w").stderr == ""


def test_limit_range_min_and_max(kubectl) -> None:
    limit_range = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "bounds"},
        "spec": {"limits": [{"type": "Container", "max": {"cpu": "1"}, "min": {"memory": "32Mi"}}]},
    }
    kubectl("apply", "-f", "-", input=yaml.safe_dump(limit_range))
    big = {"limits": {"cpu": "2"}, "requests": {"memory": "16Mi"}}
    done = run_pod(kubectl, "p", {"containers": [{"name": "p", "image": "busybox", "resources": big}]})
    assert done.stderr.strip() == (
        'Error from server (Forbidden): pods "p" is forbidden: [minimum memory usage per Container is 32Mi, '
        "but request is 16Mi, maximum cpu usage per Container is 1, but limit is 2]"
    )
    assert run_pod(kubectl, "q").returncode == 0  # the max is the default limit, the min the default request
