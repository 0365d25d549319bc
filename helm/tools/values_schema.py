"""The source of helm/k8s-tasks/values.schema.json: `python helm/tools/values_schema.py > ...`.

Written in Python so that shared pieces (quantities, DNS names, the queue profile) are defined once;
tests/chart/test_values_schema.py fails when the committed JSON is not this script's output.
The queue profile mirrors the TaskQueue spec (issue 4) with additionalProperties false, so a typo or a
wrong type in values.queues fails at `helm install`, naming the path, before it reaches the cluster.
"""

import json
from collections.abc import Iterable
from typing import Any

Schema = dict[str, Any]

Q = "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$"
DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"


def obj(props: Schema, required: Iterable[str] = (), desc: str | None = None, extra: bool = False) -> Schema:
    o: Schema = {"type": "object", "additionalProperties": extra, "properties": props}
    if required:
        o["required"] = list(required)
    if desc:
        o["description"] = desc
    return o


def s(desc: str, **kw: Any) -> Schema:
    return {"type": "string", "description": desc, **kw}


def i(desc: str, **kw: Any) -> Schema:
    return {"type": "integer", "description": desc, **kw}


def b(desc: str) -> Schema:
    return {"type": "boolean", "description": desc}


def free(desc: str, t: str = "object") -> Schema:
    return {"type": t, "description": desc}


definitions: Schema = {
    "quantity": {
        "description": "A Kubernetes quantity, e.g. 500m, 2, 512Mi, 8Gi.",
        "type": ["string", "number"],
        "minimum": 0,
        "pattern": Q,
    },
    "stringMap": {"type": "object", "additionalProperties": {"type": "string"}},
    "resources": obj(
        {
            "requests": {"type": "object", "additionalProperties": {"$ref": "#/definitions/quantity"}},
            "limits": {"type": "object", "additionalProperties": {"$ref": "#/definitions/quantity"}},
            "claims": {"type": "array"},
        },
        desc="requests and limits: cpu, memory, nvidia.com/gpu and other extended resources.",
    ),
    "queue": obj(
        {
            "queueName": s(
                "The Django queue name, if it differs from the key (a label value).",
                pattern=LABEL_VALUE,
                maxLength=63,
            ),
            "concurrency": i("Tasks of this queue running at once (0 pauses the queue).", minimum=0),
            "image": s("Image of this queue's task pods (default: the app image).", minLength=1),
            "command": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "Command prefix; the operator appends `run <task id>`.",
            },
            "nodeSelector": {
                "$ref": "#/definitions/stringMap",
                "description": "Node labels, e.g. {pool: gpu}.",
            },
            "affinity": free("A Kubernetes Affinity object."),
            "tolerations": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Kubernetes Toleration objects.",
            },
            "resources": {"$ref": "#/definitions/resources"},
            "env": {"type": "array", "items": {"type": "object"}, "description": "EnvVar objects."},
            "envFrom": {
                "type": "array",
                "items": {"type": "object"},
                "description": "EnvFromSource objects.",
            },
            "serviceAccountName": s(
                "ServiceAccount of the task pods (no token is mounted).", pattern=DNS_SUBDOMAIN
            ),
            "network": {
                "type": "string",
                "enum": ["default", "isolated"],
                "description": "isolated: sealed pods, no database, no network (the operator isolates them).",
            },
            "timeoutSeconds": i("Seconds a task may run (the Job's activeDeadlineSeconds).", minimum=1),
            "maxPendingSeconds": i(
                "Seconds a task pod may stay unschedulable before the task fails.", minimum=1
            ),
            "retries": obj(
                {
                    "attempts": i("Attempts for a task that raises (1 = no retry).", minimum=1),
                    "backoffSeconds": {"type": "number", "minimum": 0, "description": "First retry delay."},
                    "backoffFactor": {"type": "number", "minimum": 1, "description": "Delay multiplier."},
                    "maxBackoffSeconds": {"type": "number", "minimum": 0, "description": "Delay cap."},
                    "jitter": {"type": "number", "minimum": 0, "maximum": 1, "description": "Random spread."},
                    "infrastructureAttempts": i(
                        "Re-runs after eviction, preemption or node loss.", minimum=0
                    ),
                },
                desc="Retries and backoff.",
            ),
            "ttlSecondsAfterFinished": i("Seconds a finished Job is kept.", minimum=0),
            "priorityClassName": s("PriorityClass of the task pods.", pattern=DNS_SUBDOMAIN),
            "runtimeClassName": s(
                "RuntimeClass of the task pods (e.g. gvisor, nvidia).", pattern=DNS_SUBDOMAIN
            ),
            "volumes": {
                "type": "array",
                "description": "Scratch emptyDir volumes mounted read-write.",
                "items": obj(
                    {
                        "name": s("Volume name.", pattern=DNS_LABEL),
                        "mountPath": s("Absolute mount path.", pattern="^/"),
                        "sizeLimit": {"$ref": "#/definitions/quantity"},
                        "medium": {"type": "string", "enum": ["", "Memory"]},
                    },
                    required=("name", "mountPath"),
                ),
            },
            "labels": {"$ref": "#/definitions/stringMap", "description": "Extra labels of Jobs and pods."},
            "annotations": {"$ref": "#/definitions/stringMap", "description": "Extra annotations."},
            "podTemplate": obj(
                {"metadata": free("Pod metadata."), "spec": free("Pod spec fields.")},
                desc="A partial PodTemplateSpec merged last: the escape hatch.",
            ),
        },
        desc="A TaskQueue spec (see the CRD).",
    ),
    "probe": obj(
        {
            "initialDelaySeconds": i("Seconds before the first check.", minimum=0),
            "periodSeconds": i("Seconds between checks.", minimum=1),
            "timeoutSeconds": i("Seconds before a check times out.", minimum=1),
            "failureThreshold": i("Failures in a row that count.", minimum=1),
            "successThreshold": i("Successes in a row that count.", minimum=1),
        }
    ),
}


# The TaskSchedule spec (k8s_tasks.schedules.spec): types and CronJob's enums here; the cron syntax, the
# time zone and the task path are checked by the operator, which sets Valid=False naming the field.
definitions["schedule"] = obj(
    {
        "schedule": s(
            "Cron schedule as CronJob takes it: 5 fields or @hourly, @daily, ... (no TZ=).", minLength=1
        ),
        "timeZone": s("IANA time zone name, e.g. Europe/Berlin (default UTC).", minLength=1),
        "task": s(
            "Dotted path of the @task.", pattern="^[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)+$"
        ),
        "args": free("Positional arguments (JSON).", "array"),
        "kwargs": free("Keyword arguments (JSON)."),
        "queueName": s("Django queue of the runs (default: the task's).", pattern=LABEL_VALUE),
        "priority": i("Priority of the runs (default: the task's).", minimum=-100, maximum=100),
        "backend": s("TASKS alias to enqueue through (default: the task's).", minLength=1),
        "concurrencyPolicy": {
            "type": "string",
            "enum": ["Allow", "Forbid", "Replace"],
            "description": "As CronJob.",
        },
        "startingDeadlineSeconds": i("A tick not started within this many seconds is missed.", minimum=0),
        "suspend": b("No new runs while true."),
        "successfulRunsHistoryLimit": i("Successful runs listed in the status (default 3).", minimum=0),
        "failedRunsHistoryLimit": i("Failed runs listed in the status (default 1).", minimum=0),
    },
    ("schedule", "task"),
)

properties: Schema = {
    "nameOverride": s("Replaces the chart name in object names."),
    "fullnameOverride": s("Replaces the full object name prefix.", maxLength=52),
    "image": obj(
        {
            "repository": s("The app image repository.", minLength=1),
            "tag": {"type": ["string", "number"], "description": "Image tag (default: appVersion)."},
            "digest": s("Image digest.", pattern="^(sha256:[a-f0-9]{64})?$"),
            "pullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent", "Never"]},
        },
        required=("repository",),
    ),
    "imagePullSecrets": {"type": "array", "items": obj({"name": s("Secret name.", minLength=1)}, ("name",))},
    "django": obj(
        {
            "settingsModule": s(
                "DJANGO_SETTINGS_MODULE.", pattern="^([A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*)?$"
            )
        }
    ),
    "database": obj(
        {
            "existingSecret": s(
                "Secret with the database credentials (envFrom).",
                pattern="^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$",
            ),
            "injectIntoQueues": b("Add the Secret to every TaskQueue's envFrom (isolated queues excepted)."),
        }
    ),
    "replicaCount": i("Operator replicas.", minimum=0),
    "operator": obj(
        {
            "pollSeconds": {"type": "number", "exclusiveMinimum": 0, "description": "Poll interval."},
            "statusSeconds": {"type": "number", "exclusiveMinimum": 0, "description": "Status interval."},
            "podSecurity": {
                "type": "string",
                "enum": ["restricted", "baseline", "privileged"],
                "description": "Pod Security level of task pods (K8S_TASKS_POD_SECURITY).",
            },
            "pruneAfter": s(
                "Delete finished tasks older than this (K8S_TASKS_PRUNE_AFTER): 30d, 12h, ...; '' never.",
                pattern="^([1-9][0-9]*[smhdw])?$",
            ),
            "pruneSeconds": {"type": "number", "exclusiveMinimum": 0, "description": "Prune interval."},
            "extraArgs": {"type": "array", "items": {"type": "string"}},
            "extraEnv": {
                "type": "array",
                "items": obj(
                    {"name": s("Name.", minLength=1), "value": s("Value."), "valueFrom": free("Source.")},
                    ("name",),
                ),
            },
            "extraEnvFrom": {"type": "array", "items": {"type": "object"}},
        }
    ),
    "health": obj({"port": i("Liveness port.", minimum=1, maximum=65535)}),
    "livenessProbe": {"$ref": "#/definitions/probe"},
    "readinessProbe": {"$ref": "#/definitions/probe"},
    "serviceAccount": obj(
        {
            "create": b("Create the ServiceAccount."),
            "name": s("ServiceAccount name.", pattern="^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$"),
            "annotations": {"$ref": "#/definitions/stringMap"},
        }
    ),
    "rbac": obj({"create": b("Create the Role and RoleBinding.")}),
    "resources": {"$ref": "#/definitions/resources"},
    "podSecurityContext": free("Pod security context."),
    "securityContext": free("Container security context."),
    "tmpSizeLimit": {"$ref": "#/definitions/quantity"},
    "podAnnotations": {"$ref": "#/definitions/stringMap"},
    "podLabels": {"$ref": "#/definitions/stringMap"},
    "nodeSelector": {"$ref": "#/definitions/stringMap"},
    "tolerations": {"type": "array", "items": {"type": "object"}},
    "affinity": free("Affinity."),
    "topologySpreadConstraints": {"type": "array", "items": {"type": "object"}},
    "priorityClassName": s("PriorityClass.", pattern="^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$"),
    "terminationGracePeriodSeconds": i("Grace period.", minimum=0),
    "podDisruptionBudget": obj(
        {
            "enabled": b("Create a PDB."),
            "maxUnavailable": {"type": ["integer", "string"], "description": "Number or percentage."},
        }
    ),
    "serviceMonitor": obj(
        {
            "enabled": b("Serve the operator's metrics; create a Service and a ServiceMonitor."),
            "port": i("Port of the operator's metrics (K8S_TASKS_METRICS).", minimum=1, maximum=65535),
            "path": s("Path Prometheus scrapes.", pattern="^/"),
            "interval": s("Scrape interval.", pattern="^[0-9]+(ms|s|m|h)$"),
            "labels": {"$ref": "#/definitions/stringMap"},
        }
    ),
    "operatorNetworkPolicy": obj(
        {
            "enabled": b("A NetworkPolicy for the operator pod: who may reach metrics and health."),
            "scraperNamespace": s("Namespace allowed to scrape the metrics port.", pattern=DNS_LABEL),
            "scraperPodSelector": {"$ref": "#/definitions/stringMap"},
            "healthFrom": {
                "type": "array",
                "items": {"type": "object"},
                "description": "NetworkPolicyPeer objects allowed to reach the health port.",
            },
        }
    ),
    "migrations": obj(
        {
            "enabled": b("Run migrations in a pre-install/pre-upgrade hook Job."),
            "command": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "activeDeadlineSeconds": i("Deadline.", minimum=1),
            "resources": {"$ref": "#/definitions/resources"},
        }
    ),
    "queueDefaults": {"$ref": "#/definitions/queue"},
    "queues": {
        "type": "object",
        "description": "Queue name (a DNS label: lowercase letters, digits, '-') -> TaskQueue spec.",
        "patternProperties": {DNS_LABEL: {"$ref": "#/definitions/queue"}},
        "additionalProperties": False,
    },
    "schedules": {
        "type": "object",
        "description": "TaskSchedule name (a DNS subdomain) -> TaskSchedule spec.",
        "patternProperties": {DNS_SUBDOMAIN: {"$ref": "#/definitions/schedule"}},
        "additionalProperties": False,
    },
    "global": free("Helm globals (unused)."),
}

SCHEMA: Schema = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "k8s-tasks chart values",
    "type": "object",
    "additionalProperties": False,
    "properties": properties,
    "definitions": definitions,
}


def render() -> str:
    """The exact text of values.schema.json."""
    return json.dumps(SCHEMA, indent=2) + "\n"


if __name__ == "__main__":
    print(render(), end="")
