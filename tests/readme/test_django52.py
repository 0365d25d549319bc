"""Django 5.2 LTS with the django-tasks backport, as the README says to install it.

The README's "Your own project" section walked as test_own_project.py walks it (its helpers), with the
two changes its paragraph "On Django 5.2 LTS" names: the ``django52`` extra beside the others, and
``from django_tasks import task``. On Python 3.12, as the section's ``python3.12`` says, so the extra (not
the Python 3.11 marker) brings Django 5.2 and the backport. Then, beyond the section: the versions, Django's
checks, and three more tasks enqueued at once, each run as a Job and back with its result.

And on Python 3.11, a plain install of the wheel resolves to Django 5.2 and the backport.

These run in ``make test-django52`` (this interpreter on Django 5.2); the Django 6 suite walks the same
section in test_own_project.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from k8s_tasks.compat import BUILTIN_TASKS
from tests.readme.test_own_project import (
    CHECKS,
    KUBECTL,
    ROOT,
    UUID,
    blocks,
    checkout_copy,
    script,
    section,
    walk,
)

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(BUILTIN_TASKS, reason="the Django 5.2 lane's: make test-django52"),
]

INSTALL_6 = '"dist/k8s_tasks-0.1.0-py3-none-any.whl[testing,postgres]"'
INSTALL_52 = '"dist/k8s_tasks-0.1.0-py3-none-any.whl[django52,testing,postgres]"'
IMPORT_6, IMPORT_52 = "from django.tasks import task", "from django_tasks import task"

CHECKS_52 = r"""
echo "== Django 5.2 with the backport"
python -c "
import importlib.util, sys
import django, django_tasks
print('VERSIONS', django.get_version(), django_tasks.__version__, '%d.%d' % sys.version_info[:2])
print('BUILTIN django.tasks:', importlib.util.find_spec('django.tasks') is not None)
"
python manage.py check
python manage.py shell -c "
import time
from videos.tasks import transcode

results = [transcode.enqueue(video_id=n) for n in (11, 12, 13)]
deadline = time.monotonic() + 120
while not all(r.is_finished for r in results) and time.monotonic() < deadline:
    time.sleep(0.5)
    for r in results:
        r.refresh()
for r in results:
    print('RESULT', r.id, r.status, r.return_value if r.is_finished else None)
"
kubectl get jobs -o name
echo "== done"
"""


def script_52(src: Path) -> str:
    """The section's script with the README's two changes for Django 5.2, and CHECKS_52 for its checks."""
    text = section()
    paragraph = text.split("**On Django 5.2 LTS**", 1)[1].split("\n\n", 1)[0]
    assert f"`{INSTALL_52}`" in paragraph and f"`{IMPORT_52}`" in paragraph, paragraph
    walk = script(src).removesuffix(CHECKS)
    assert walk.count(INSTALL_6) == 1 and walk.count(IMPORT_6) == 1
    return walk.replace(INSTALL_6, INSTALL_52).replace(IMPORT_6, IMPORT_52) + CHECKS_52


def python312() -> str:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "find-python.sh")], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_new_django_52_project_runs_its_tasks_as_jobs(tmp_path: Path) -> None:
    src = checkout_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DJANGO", "K8S_", "VIRTUAL"))}
    env.update(
        PATH=f"{KUBECTL.parent}:/usr/local/bin:/usr/bin:/bin", HOME=os.environ.get("HOME", str(tmp_path))
    )
    env.pop("KUBECONFIG", None)
    work = tmp_path / "work"
    work.mkdir()
    # script() put this interpreter where the README says python3.12: the walk runs on a Python 3.12.
    out, logs = walk(work, script_52(src).replace(f"{sys.executable} -m venv", f"{python312()} -m venv"), env)
    assert "== done" in out, out[-8000:] + logs
    lines = out.splitlines()
    versions = next(line for line in lines if line.startswith("VERSIONS ")).split()
    assert versions[1].startswith("5.2.") and versions[2].startswith("0.12") and versions[3] == "3.12", (
        versions
    )
    assert "BUILTIN django.tasks: False" in lines
    assert "System check identified no issues (0 silenced)." in lines
    # The README's task and its log tail, as the README shows them: on 5.2 too, the "Task id=..." line
    # (the django.tasks logger, as k8s_tasks.compat logs for the backport).
    expected = next(code for language, code, _ in blocks(section()) if language == "console")
    actual = {UUID.sub("ID", line) for line in lines}
    for line in expected.splitlines():
        assert UUID.sub("ID", line) in actual, (line, out[-4000:])
    results = [line.split() for line in lines if line.startswith("RESULT ")]
    assert [r[2:] for r in results] == [["SUCCESSFUL", "video", str(n), "transcoded"] for n in (11, 12, 13)]
    jobs = [line for line in lines if line.startswith("job.batch/task-")]  # each task ran as a Job
    assert all(any(f"task-{r[1]}-" in job for job in jobs) for r in results), (jobs, results)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the Python 3.11 marker: on Python 3.11")
def test_a_plain_install_on_python_311_brings_django_52_and_the_backport(tmp_path: Path) -> None:
    src = checkout_copy(tmp_path)
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", src], check=True, timeout=120)
    (wheel,) = (tmp_path / "dist").glob("k8s_tasks-*.whl")
    report = tmp_path / "report.json"
    subprocess.run(
        [*pip, "install", "-q", "--dry-run", "--ignore-installed", "--report", report, wheel],
        check=True,
        timeout=120,
    )
    versions = {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert re.match(r"5\.2\.", versions["django"]) and versions["django-tasks"].startswith("0.12"), versions
