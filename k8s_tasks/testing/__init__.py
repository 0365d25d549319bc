"""A local Kubernetes cluster for tests and demos: an API server the real clients accept (kubectl, the
kubernetes package, kopf) over an in-memory store, plus simulated nodes, scheduler, Job controller and
kubelet.

Start one with ``python -m k8s_tasks.testing cluster --nodes NODES.yaml --kubeconfig PATH``, the pytest
fixture ``local_cluster``, or ``k8s_tasks.testing.cluster.LocalCluster`` / ``run_in_thread``.
"""
