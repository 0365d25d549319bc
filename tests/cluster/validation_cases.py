"""The table of tests/cluster/test_validation_parity.py: a Job changed one way, and the status code and
message kube-apiserver answers its creation with (each written from the upstream code that makes it)."""

from collections.abc import Callable
from typing import Any

Change = Callable[[dict[str, Any]], Any]
C0 = "spec.template.spec.containers[0]"
PS = "spec.template.spec"
LONG = "a" * 64
NEGATIVE = "Invalid value: -1: must be greater than or equal to 0"
DECODE = 'Job in version "v1" cannot be handled as a Job: '
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
QUALIFIED_NAME = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
DNS_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
CONFIG_KEY = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)
QUANTITY = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ENV_NAME = "a valid environment variable name must consist only of printable ASCII characters other than '='"
SELECTOR = (
    'v1.LabelSelector{MatchLabels:map[string]string{"app":"x", '
    '"batch.kubernetes.io/controller-uid":"<uid>"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}'
)


def job(name: str = "v") -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "python:3.12", "command": ["true"]}],
                }
            }
        },
    }


def pod(m: dict[str, Any]) -> dict[str, Any]:
    return m["spec"]["template"]["spec"]


def c0(m: dict[str, Any]) -> dict[str, Any]:
    return pod(m)["containers"][0]


def spec(**fields: Any) -> Change:
    return lambda m: m["spec"].update(fields)


def in_pod(**fields: Any) -> Change:
    return lambda m: pod(m).update(fields)


def in_c0(**fields: Any) -> Change:
    return lambda m: c0(m).update(fields)


def res(requests: dict[str, Any] | None = None, limits: dict[str, Any] | None = None) -> Change:
    return in_c0(resources={k: v for k, v in (("requests", requests), ("limits", limits)) if v})


def meta(**fields: Any) -> Change:
    return lambda m: m["metadata"].update(fields)


def template_meta(**fields: Any) -> Change:
    return lambda m: m["spec"]["template"].update(metadata=fields)


def both(*changes: Change) -> Change:
    return lambda m: [change(m) for change in changes]


def invalid(*errors: str, name: str = "v") -> str:
    text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return f'Job.batch "{name}" is invalid: {text}'


def case(id_: str, change: Change, code: int, message: str, name: str = "v") -> tuple[str, dict, int, str]:
    manifest = job(name)
    change(manifest)
    return id_, manifest, code, message


GPU = "nvidia.com/gpu"
NODE_TERM = {"matchExpressions": [{"key": "zone", "operator": "Near", "values": ["a"]}]}
SOFT = [
    {"weight": 0, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}}
]
NODE_PATH = f"{PS}.affinity.nodeAffinity"
SECRET_ENV = {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "bad key"}}}
VALUE_AND_FROM = {"name": "A", "value": "1", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
BOGUS = [{"key": "k", "operator": "Bogus", "effect": "NoSchedule"}]
SECONDS = [{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}]

CASES = [
    case("memory lots", res(requests={"memory": "lots"}), 400, DECODE + QUANTITY),
    case(
        "cpu -1",
        res(requests={"cpu": "-1"}),
        422,
        invalid(f'{C0}.resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0'),
    ),
    case(
        "requests above limits",
        res(requests={"cpu": "2"}, limits={"cpu": "1"}),
        422,
        invalid(f'{C0}.resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'),
    ),
    case(
        "memory requests above limits, in canonical form",
        res(requests={"memory": "1.5Gi"}, limits={"memory": "1Gi"}),
        422,
        invalid(
            f'{C0}.resources.requests: Invalid value: "1536Mi": '
            "must be less than or equal to memory limit of 1Gi"
        ),
    ),
    case("negative backoffLimit", spec(backoffLimit=-1), 422, invalid(f"spec.backoffLimit: {NEGATIVE}")),
    case("negative parallelism", spec(parallelism=-1), 422, invalid(f"spec.parallelism: {NEGATIVE}")),
    case(
        "negative ttlSecondsAfterFinished",
        spec(ttlSecondsAfterFinished=-1),
        422,
        invalid(f"spec.ttlSecondsAfterFinished: {NEGATIVE}"),
    ),
    case(
        "negative activeDeadlineSeconds",
        spec(activeDeadlineSeconds=-1),
        422,
        invalid(f"spec.activeDeadlineSeconds: {NEGATIVE}"),
    ),
    case(
        "two errors, in [...]",
        spec(parallelism=-1, backoffLimit=-1),
        422,
        invalid(f"spec.parallelism: {NEGATIVE}", f"spec.backoffLimit: {NEGATIVE}"),
    ),
    case(
        "64-character Job name",
        lambda m: None,
        422,
        invalid(f'spec.template.labels: Invalid value: "{LONG}": must be no more than 63 bytes', name=LONG),
        name=LONG,
    ),
    case(
        "GPU request differs from its limit",
        res(requests={GPU: "1"}, limits={GPU: "2"}),
        422,
        invalid(f'{C0}.resources.requests: Invalid value: "1": must be equal to {GPU} limit of 2'),
    ),
    case(
        "GPU request without a limit",
        res(requests={GPU: "1"}),
        422,
        invalid(f"{C0}.resources.limits: Required value: Limit must be set for non overcommitable resources"),
    ),
    case(
        "fractional GPU",
        res(requests={GPU: "0.5"}, limits={GPU: "0.5"}),
        422,
        invalid(
            f"{C0}.resources.limits[{GPU}]: Invalid value: 500m: must be an integer",
            f"{C0}.resources.requests[{GPU}]: Invalid value: 500m: must be an integer",
        ),
    ),
    case(
        "not a container resource",
        res(requests={"pods": "1"}),
        422,
        invalid(
            f'{C0}.resources.requests[pods]: Invalid value: "pods": '
            "must be a standard resource for containers"
        ),
    ),
    case(
        "toleration operator Bogus",
        in_pod(tolerations=BOGUS),
        422,
        invalid(
            f'{PS}.tolerations[0].operator: Unsupported value: "Bogus": supported values: "Equal", "Exists"'
        ),
    ),
    case(
        "tolerationSeconds without NoExecute",
        in_pod(tolerations=SECONDS),
        422,
        invalid(
            f'{PS}.tolerations[0].effect: Invalid value: "NoSchedule": '
            "effect must be 'NoExecute' when `tolerationSeconds` is set"
        ),
    ),
    case(
        "duplicate container names",
        lambda m: pod(m)["containers"].append(dict(c0(m))),
        422,
        invalid(f'{PS}.containers[1].name: Duplicate value: "main"'),
    ),
    case(
        "container name M_1", in_c0(name="M_1"), 422, invalid(f'{C0}.name: Invalid value: "M_1": {DNS_LABEL}')
    ),
    case(
        "imagePullPolicy Sometimes",
        in_c0(imagePullPolicy="Sometimes"),
        422,
        invalid(
            f'{C0}.imagePullPolicy: Unsupported value: "Sometimes": '
            'supported values: "Always", "IfNotPresent", "Never"'
        ),
    ),
    case(
        "restartPolicy Maybe: the pod's rule, then the Job's",
        in_pod(restartPolicy="Maybe"),
        422,
        invalid(
            f'{PS}.restartPolicy: Unsupported value: "Maybe": '
            'supported values: "Always", "OnFailure", "Never"',
            f'{PS}.restartPolicy: Unsupported value: "Maybe": supported values: "OnFailure", "Never"',
        ),
    ),
    case(
        "restartPolicy Always",
        in_pod(restartPolicy="Always"),
        422,
        invalid(f'{PS}.restartPolicy: Required value: valid values: "OnFailure", "Never"'),
    ),
    case(
        "label value bad value",
        meta(labels={"app": "bad value"}),
        422,
        invalid(f'metadata.labels: Invalid value: "bad value": {LABEL_VALUE}'),
    ),
    case(
        "nodeSelector value bad value",
        in_pod(nodeSelector={"zone": "bad value"}),
        422,
        invalid(f'{PS}.nodeSelector: Invalid value: "bad value": {LABEL_VALUE}'),
    ),
    case(
        "annotation key bad key!",
        meta(annotations={"bad key!": "x"}),
        422,
        invalid(f'metadata.annotations: Invalid value: "bad key!": {QUALIFIED_NAME}'),
    ),
    case(
        "template annotation key bad key!",
        template_meta(annotations={"bad key!": "x"}),
        422,
        invalid(f'spec.template.annotations: Invalid value: "bad key!": {QUALIFIED_NAME}'),
    ),
    case(
        "selector without manualSelector",
        both(spec(selector={"matchLabels": {"app": "x"}}), template_meta(labels={"app": "x"})),
        422,
        invalid(f"spec.selector: Invalid value: {SELECTOR}: `selector` not auto-generated"),
    ),
    case(
        "wrong JSON type",
        spec(backoffLimit="six"),
        400,
        DECODE + "json: cannot unmarshal string into Go struct field JobSpec.spec.backoffLimit of type int32",
    ),
    case(
        "wrong JSON type in a container",
        in_c0(image=5),
        400,
        DECODE
        + "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image"
        " of type string",
    ),
    # what a TaskQueue profile can set
    case(
        "env name with =",
        in_c0(env=[{"name": "A=B", "value": "1"}]),
        422,
        invalid(f'{C0}.env[0].name: Invalid value: "A=B": {ENV_NAME}'),
    ),
    case(
        "env valueFrom and value",
        in_c0(env=[VALUE_AND_FROM]),
        422,
        invalid(f'{C0}.env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'),
    ),
    case(
        "env secretKeyRef key bad key",
        in_c0(env=[SECRET_ENV]),
        422,
        invalid(f'{C0}.env[0].valueFrom.secretKeyRef.key: Invalid value: "bad key": {CONFIG_KEY}'),
    ),
    case(
        "envFrom without a source",
        in_c0(envFrom=[{"prefix": "P_"}]),
        422,
        invalid(f'{C0}.envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`'),
    ),
    case(
        "volume without a source",
        in_pod(volumes=[{"name": "data"}]),
        422,
        invalid(f"{PS}.volumes[0]: Required value: must specify a volume type"),
    ),
    case(
        "volumeMount of no volume",
        in_c0(volumeMounts=[{"name": "data", "mountPath": "/data"}]),
        422,
        invalid(f'{C0}.volumeMounts[0].name: Not found: "data"'),
    ),
    case(
        "secret volume file mode",
        in_pod(volumes=[{"name": "s", "secret": {"secretName": "s", "defaultMode": 1000}}]),
        422,
        invalid(
            f"{PS}.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 "
            "(octal), both inclusive"
        ),
    ),
    case(
        "runAsUser -1",
        in_c0(securityContext={"runAsUser": -1}),
        422,
        invalid(
            f"{C0}.securityContext.runAsUser: Invalid value: -1: must be between 0 and 4294967295, inclusive"
        ),
    ),
    case(
        "pod seccomp type Bogus",
        in_pod(securityContext={"seccompProfile": {"type": "Bogus"}}),
        422,
        invalid(
            f'{PS}.securityContext.seccompProfile.type: Unsupported value: "Bogus": supported values: '
            '"Localhost", "RuntimeDefault", "Unconfined"'
        ),
    ),
    case(
        "priorityClassName Bad_Name",
        in_pod(priorityClassName="Bad_Name"),
        422,
        invalid(f'{PS}.priorityClassName: Invalid value: "Bad_Name": {DNS_SUBDOMAIN}'),
    ),
    case(
        "runtimeClassName empty",
        in_pod(runtimeClassName=""),
        422,
        invalid(f'{PS}.runtimeClassName: Invalid value: "": {DNS_SUBDOMAIN}'),
    ),
    case(
        "pod activeDeadlineSeconds 0",
        in_pod(activeDeadlineSeconds=0),
        422,
        invalid(f"{PS}.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
    ),
    case(
        "node affinity weight 0",
        in_pod(affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": SOFT}}),
        422,
        invalid(
            f"{NODE_PATH}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: "
            "must be in the range 1-100"
        ),
    ),
    case(
        "node affinity operator Near",
        in_pod(
            affinity={
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [NODE_TERM]}
                }
            }
        ),
        422,
        invalid(
            f"{NODE_PATH}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]"
            '.operator: Invalid value: "Near": not a valid selector operator'
        ),
    ),
]
