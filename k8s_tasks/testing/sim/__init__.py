"""The simulated part of the local cluster: nodes, scheduler, Job controller, kubelet, TTL controller."""
