"""A pod's secret, configMap, downwardAPI and projected volumes are set up before its containers start;
the process finds them at the mountPath its env and command line name (the local kubelet has no mount
namespace and rewrites those paths to the volume's directory). A missing Secret holds the pod in
ContainerCreating with a FailedMount event until it exists."""

import base64
import json

import pytest
from kubernetes import client

from tests.waiting import wait_until

from .conftest import PY

pytestmark = pytest.mark.cluster(runtime="process")

# Prints {relative path: [content, mode]} of every file under the directory in $DIR, then of argv[1].
LIST = (
    "import json, os, sys\n"
    "def files(root):\n"
    "    out = {}\n"
    "    for base, _, names in os.walk(root):\n"
    "        for n in names:\n"
    "            p = os.path.join(base, n)\n"
    "            out[os.path.relpath(p, root)] = [open(p).read(), oct(os.stat(p).st_mode & 0o777)]\n"
    "    return out\n"
    "print(json.dumps([files(os.environ['DIR']), files(sys.argv[1])], sort_keys=True))\n"
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def lister(name: str, volumes: list[dict], mounts: list[dict], env_dir: str, arg_dir: str) -> dict:
    container = {
        "name": "app",
        "image": "python:3.12",
        "command": [PY, "-c", LIST, arg_dir],
        "env": [{"name": "DIR", "value": env_dir}],
        "volumeMounts": mounts,
    }
    return {
        "metadata": {"name": name, "labels": {"app": "lister"}, "annotations": {"note": 'say "hi"'}},
        "spec": {"restartPolicy": "Never", "containers": [container], "volumes": volumes},
    }


def output(core: client.CoreV1Api, name: str) -> list[dict]:
    wait_until(
        lambda: core.read_namespaced_pod(name, "default").status.phase in ("Succeeded", "Failed"),
        timeout=20,
        what=f"pod {name} to end",
    )
    assert core.read_namespaced_pod(name, "default").status.phase == "Succeeded"
    return json.loads(core.read_namespaced_pod_log(name, "default"))


def test_secret_configmap_downward_and_projected_files(core) -> None:
    core.create_namespaced_secret(
        "default", {"metadata": {"name": "creds"}, "data": {"user": b64("ann"), "pass": b64("s3cret")}}
    )
    core.create_namespaced_config_map("default", {"metadata": {"name": "conf"}, "data": {"mode": "fast"}})
    one_key = {"name": "creds", "items": [{"key": "user", "path": "who/user", "mode": 0o400}]}
    volumes = [
        {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 0o440}},
        {
            "name": "all",
            "projected": {
                "sources": [
                    {"secret": one_key},
                    {"configMap": {"name": "conf"}},
                    {
                        "downwardAPI": {
                            "items": [
                                {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                                {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}},
                            ]
                        }
                    },
                ]
            },
        },
        {"name": "scratch", "emptyDir": {}},
    ]
    mounts = [
        {"name": "creds", "mountPath": "/etc/creds", "readOnly": True},
        {"name": "all", "mountPath": "/etc/all"},
        {"name": "scratch", "mountPath": "/scratch"},
    ]
    core.create_namespaced_pod("default", lister("files", volumes, mounts, "/etc/creds", "/etc/all"))
    creds, projected = output(core, "files")
    assert creds == {"pass": ["s3cret", "0o440"], "user": ["ann", "0o440"]}
    assert projected == {
        "who/user": ["ann", "0o400"],
        "mode": ["fast", "0o644"],
        "name": ["files", "0o644"],
        "labels": ['app="lister"', "0o644"],
        "annotations": ['note="say \\"hi\\""', "0o644"],
    }


def test_a_missing_secret_holds_the_pod_until_it_exists(core) -> None:
    volumes = [{"name": "late", "secret": {"secretName": "late", "items": [{"key": "k", "path": "k.txt"}]}}]
    mounts = [{"name": "late", "mountPath": "/var/run/late"}]
    core.create_namespaced_pod("default", lister("waits", volumes, mounts, "/var/run/late", "/var/run/late"))

    def failed_mount() -> list[str]:
        events = core.list_namespaced_event("default", field_selector="involvedObject.name=waits").items
        return [e.message for e in events if e.reason == "FailedMount"]

    wait_until(failed_mount, what="a FailedMount event")
    assert failed_mount()[0] == 'MountVolume.SetUp failed for volume "late" : secret "late" not found'
    pod = core.read_namespaced_pod("waits", "default")
    assert pod.status.phase == "Pending"
    assert pod.status.container_statuses[0].state.waiting.reason == "ContainerCreating"

    core.create_namespaced_secret("default", {"metadata": {"name": "late"}, "data": {"other": b64("x")}})
    wanted = 'MountVolume.SetUp failed for volume "late" : references non-existent secret key: k'
    wait_until(lambda: wanted in failed_mount(), timeout=10, what="the missing key reported")

    core.patch_namespaced_secret("late", "default", {"data": {"k": b64("finally")}})
    assert output(core, "waits") == [{"k.txt": ["finally", "0o644"]}, {"k.txt": ["finally", "0o644"]}]
