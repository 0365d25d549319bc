"""Profiles used across the profile tests: each one a realistic TaskQueue spec."""

from typing import Any

import pytest

from k8s_tasks.profiles import TaskRef

UUID = "0b7c6f5e-3d0e-4a43-9b1e-1c0b4c7f8a11"

SPECS: dict[str, dict[str, Any]] = {
    "default": {},
    "gpu": {
        "concurrency": 2,
        "nodeSelector": {"pool": "gpu"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "resources": {
            "requests": {"cpu": "2", "memory": "8Gi"},
            "limits": {"memory": "8Gi", "nvidia.com/gpu": 1},
        },
        "timeoutSeconds": 3600,
        "maxPendingSeconds": 120,
        "priorityClassName": "gpu-batch",
        "runtimeClassName": "nvidia",
    },
    "highmem": {
        "nodeSelector": {"pool": "highmem"},
        "resources": {"requests": {"memory": "48Gi", "cpu": "500m"}, "limits": {"memory": "64Gi"}},
        "volumes": [
            {"name": "scratch", "mountPath": "/scratch", "sizeLimit": "100Gi"},
            {"name": "shm", "mountPath": "/dev/shm", "medium": "Memory", "sizeLimit": "1Gi"},
        ],
        "ttlSecondsAfterFinished": 600,
    },
    "isolated": {
        "network": "isolated",
        "image": "registry.example.com/app:2.1",
        "command": ["/app/.venv/bin/python", "-m", "k8s_tasks"],
        "serviceAccountName": "untrusted-files",
        "env": [
            {"name": "SCAN_MODE", "value": "strict"},
            {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        ],
        "envFrom": [{"configMapRef": {"name": "scan-config"}, "prefix": "SCAN_"}],
        "labels": {"team": "files"},
        "annotations": {"example.com/owner": "files-team"},
    },
    "custom": {
        "image": "registry.example.com/app:2.1",
        "command": ["/app/.venv/bin/python", "-m", "k8s_tasks"],
        "serviceAccountName": "untrusted-files",
        "env": [
            {"name": "DB_HOST", "value": "postgres.db.svc"},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
            {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        ],
        "envFrom": [
            {"secretRef": {"name": "app-secrets"}},
            {"configMapRef": {"name": "app-config"}, "prefix": "APP_"},
        ],
        "labels": {"team": "files"},
        "annotations": {"example.com/owner": "files-team"},
    },
    "podtemplate": {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
                    ]
                }
            }
        },
        "podTemplate": {
            "metadata": {"labels": {"sidecar": "none"}, "annotations": {"example.com/x": "y"}},
            "spec": {
                "securityContext": {"runAsUser": 2000, "fsGroup": None},
                "containers": [
                    {"name": "task", "workingDir": "/app", "env": [{"name": "EXTRA", "value": "1"}]}
                ],
                "volumes": [
                    {"name": "models", "persistentVolumeClaim": {"claimName": "models", "readOnly": True}}
                ],
                "imagePullSecrets": [{"name": "regcred"}],
                "terminationGracePeriodSeconds": 60,
            },
        },
    },
}


@pytest.fixture
def task() -> TaskRef:
    return TaskRef(id=UUID, attempt=1, task_path="myapp.tasks.send_video", queue_name="gpu", priority=5)
