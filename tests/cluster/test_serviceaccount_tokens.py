"""Authentication: the admin kubeconfig's static token, ServiceAccount tokens from `kubectl create token`
(TokenRequest) and from a pod's projected volume, `kubectl auth whoami`, and in-cluster configuration
(`kubernetes.config.load_incluster_config()`, kopf's login) from inside a pod."""

import json
import textwrap

import pytest
from kubernetes import client

from k8s_tasks.testing.cluster import LocalCluster
from k8s_tasks.testing.sim import sandbox
from tests.cluster.conftest import PY, job_manifest
from tests.waiting import wait_until

SA_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]


def whoami(kubectl, *args: str) -> dict:
    return json.loads(kubectl(*args, "auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]


@pytest.mark.cluster(runtime="fake")
def test_the_admin_kubeconfig_is_kubernetes_admin_in_system_masters(kubectl) -> None:
    assert whoami(kubectl) == {
        "username": "kubernetes-admin",
        "groups": ["system:masters", "system:authenticated"],
    }


@pytest.mark.cluster(runtime="fake")
def test_kubectl_create_token_authenticates_as_the_service_account(
    local_cluster: LocalCluster, kubectl
) -> None:
    kubectl("create", "serviceaccount", "robot")
    token = kubectl("create", "token", "robot").stdout.strip()
    assert token.count(".") == 2  # a JWT
    user = whoami(kubectl, "--token", token)
    uid = json.loads(kubectl("get", "sa", "robot", "-o", "json").stdout)["metadata"]["uid"]
    assert user["username"] == "system:serviceaccount:default:robot"
    assert (user["groups"], user["uid"]) == (SA_GROUPS, uid)
    assert user["extra"]["authentication.kubernetes.io/credential-id"][0].startswith("JTI=")
    claims = local_cluster.tokens.claims(token)
    assert claims is not None
    assert (claims["iss"], claims["sub"]) == (
        "https://kubernetes.default.svc.cluster.local",
        "system:serviceaccount:default:robot",
    )
    assert claims["exp"] - claims["iat"] == 3600

    # a deleted ServiceAccount's tokens stop working, even when one of the same name comes back
    kubectl("delete", "serviceaccount", "robot")
    kubectl("create", "serviceaccount", "robot")
    refused = kubectl("--token", token, "auth", "whoami", check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: You must be logged in to the server (Unauthorized)"


@pytest.mark.cluster(runtime="fake")
def test_token_request_validation_and_missing_account(kubectl) -> None:
    kubectl("create", "serviceaccount", "robot")
    short = kubectl("create", "token", "robot", "--duration=1m", check=False)
    assert short.stderr.strip() == (
        'error: failed to create token: TokenRequest.authentication.k8s.io "robot" is invalid: '
        "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"
    )
    missing = kubectl("create", "token", "nobody", check=False)
    assert missing.stderr.strip() == 'error: failed to create token: serviceaccounts "nobody" not found'


@pytest.mark.cluster(runtime="fake")
def test_token_for_helper_and_audiences(local_cluster: LocalCluster, kubectl) -> None:
    token = local_cluster.token_for("default", "default", expiration_seconds=900)
    assert whoami(kubectl, "--token", token)["username"] == "system:serviceaccount:default:default"
    other = local_cluster.token_for("default", "default", audiences=("vault",))
    assert kubectl("--token", other, "auth", "whoami", check=False).returncode == 1  # not an API audience


@pytest.mark.cluster(runtime="fake")
def test_pods_get_the_projected_token_volume_unless_automount_is_false(core: client.CoreV1Api) -> None:
    pod = {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "python:3.12", "command": ["true"]}]},
    }
    created = core.create_namespaced_pod("default", pod).to_dict()["spec"]
    assert created["service_account_name"] == created["service_account"] == "default"
    (volume,) = created["volumes"]
    assert (
        volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    )
    sources = volume["projected"]["sources"]
    token = sources[0]["service_account_token"]
    assert (token["expiration_seconds"], token["path"], token["audience"]) == (3607, "token", None)
    assert sources[1]["config_map"]["name"] == "kube-root-ca.crt"
    assert sources[2]["downward_api"]["items"][0]["field_ref"]["field_path"] == "metadata.namespace"
    assert volume["projected"]["default_mode"] == 420
    (mount,) = created["containers"][0]["volume_mounts"]
    assert (mount["name"], mount["mount_path"], mount["read_only"]) == (
        volume["name"],
        "/var/run/secrets/kubernetes.io/serviceaccount",
        True,
    )
    pod["metadata"]["name"], pod["spec"]["automountServiceAccountToken"] = "q", False
    assert core.create_namespaced_pod("default", pod).to_dict()["spec"]["volumes"] is None
    core.patch_namespaced_service_account("default", "default", {"automountServiceAccountToken": False})
    pod["metadata"]["name"], pod["spec"]["automountServiceAccountToken"] = "r", None
    assert core.create_namespaced_pod("default", pod).to_dict()["spec"]["volumes"] is None
    ca = core.read_namespaced_config_map("kube-root-ca.crt", "default").data["ca.crt"]
    assert ca.startswith("-----BEGIN CERTIFICATE-----")


IN_CLUSTER = textwrap.dedent(
    """
    import asyncio, logging, os, pathlib, ssl
    import aiohttp, kopf
    from kopf._core.intents.piggybacking import login_via_client
    from kubernetes import client, config

    root = pathlib.Path("/var/run/secrets/kubernetes.io/serviceaccount")
    print("files", sorted(p.name for p in root.iterdir()))
    print("namespace", (root / "namespace").read_text())
    import base64, json
    claims = json.loads(base64.urlsafe_b64decode((root / "token").read_text().split(".")[1] + "=="))
    iat = claims["iat"]
    print("claims", claims["exp"] - iat, claims["kubernetes.io"]["warnafter"] - iat)
    print("service", os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
    config.load_incluster_config()
    review = client.AuthenticationV1Api().create_self_subject_review({"kind": "SelfSubjectReview"})
    user = review.status.user_info
    print("client", user.username, user.extra["authentication.kubernetes.io/pod-name"])

    async def kopf_login():
        info = login_via_client(logger=logging.getLogger(), settings=kopf.OperatorSettings())
        context = ssl.create_default_context(cafile=info.ca_path)
        headers = {"Authorization": f"Bearer {info.token}"}
        url = info.server + "/apis/authentication.k8s.io/v1/selfsubjectreviews"
        async with aiohttp.ClientSession() as session:
            body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
            async with session.post(url, json=body, headers=headers, ssl=context) as response:
                user = (await response.json())["status"]["userInfo"]["username"]
                print("kopf", info.server.split(":")[0], user)

    asyncio.run(kopf_login())
    """
)


@pytest.mark.skipif(sandbox.available() is not None, reason=f"no mount namespaces: {sandbox.available()}")
def test_a_pod_configures_itself_in_cluster(local_cluster: LocalCluster, batch, core) -> None:
    core.create_namespaced_service_account("default", {"metadata": {"name": "worker"}})
    job = job_manifest("incluster", [PY, "-c", IN_CLUSTER])
    job["spec"]["template"]["spec"]["serviceAccountName"] = "worker"
    batch.create_namespaced_job("default", job)

    def finished() -> str:
        status = batch.read_namespaced_job_status("incluster", "default").status
        return "done" if (status.succeeded or status.failed) else ""

    wait_until(finished, timeout=60, what="the in-cluster Job to end")
    pod = core.list_namespaced_pod("default", label_selector="job-name=incluster").items[0]
    log = core.read_namespaced_pod_log(pod.metadata.name, "default")
    assert batch.read_namespaced_job_status("incluster", "default").status.succeeded == 1, log
    lines = dict(line.split(" ", 1) for line in log.splitlines())
    assert lines["files"] == "['ca.crt', 'namespace', 'token']"
    assert lines["claims"] == "31536000 3607"  # extended to a year, warnafter at 3607 s, as upstream
    assert lines["namespace"] == "default"
    assert lines["service"] == f"127.0.0.1 {local_cluster.port}"
    assert lines["client"] == f"system:serviceaccount:default:worker ['{pod.metadata.name}']"
    assert lines["kopf"] == "https system:serviceaccount:default:worker"
