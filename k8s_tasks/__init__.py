"""k8s-tasks: a Kubernetes-native backend for Django's Tasks framework."""

__version__ = "0.1.0"
