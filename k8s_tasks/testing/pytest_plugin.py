"""pytest fixture ``local_cluster``: a started LocalCluster in a background thread, one per test.

Configure it with the ``cluster`` marker, e.g.
``@pytest.mark.cluster(nodes=[NodeSpec("gpu-1", ...)], runtime="fake", fake_seconds=0.5)``;
every keyword goes to LocalCluster. KUBECONFIG for child processes: ``local_cluster.kubeconfig_path``.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from .cluster import LocalCluster, run_in_thread


@pytest.fixture
def local_cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalCluster]:
    marker = request.node.get_closest_marker("cluster")
    options = dict(marker.kwargs) if marker else {}
    options.setdefault("workdir", tmp_path / "cluster")
    with run_in_thread(**options) as cluster:
        yield cluster
