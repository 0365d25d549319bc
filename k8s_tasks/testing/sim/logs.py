"""Where the simulated kubelet keeps each container's log (stdout and stderr, interleaved).

The API server serves ``GET .../pods/NAME/log`` from the same path, so both sides call this function.
"""

from pathlib import Path


def log_path(root: Path, namespace: str, pod: str, container: str) -> Path:
    """The log file of one container of one pod: ``root/namespace/pod/container.log``."""
    return root / namespace / pod / f"{container}.log"
