"""The simulated part of the local cluster: nodes, scheduler, Job controller, kubelet, TTL controller.

Everything runs in the cluster's event loop and talks to the in-memory store directly. See ``Simulation``.
"""

from .nodes import NodeSpec, load_nodes
from .simulation import Simulation

__all__ = ["NodeSpec", "Simulation", "load_nodes"]
