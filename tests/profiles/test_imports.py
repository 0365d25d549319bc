"""k8s_tasks.profiles is importable with neither Django nor kopf (the operator and tools share it)."""

import subprocess
import sys

from tests.conftest import ROOT


def test_profiles_import_neither_django_nor_kopf() -> None:
    code = (
        "import sys, k8s_tasks.profiles as p; "
        "p.build_job(p.parse_profile('q', {}), p.TaskRef('1', 1, 'a.b', 'q'), namespace='n', "
        "default_image='i', settings_module='s'); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'kopf')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
