"""The k8s-tasks operator: turns queued task rows into Kubernetes Jobs (kopf)."""
