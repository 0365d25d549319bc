"""The README's section "Your own project, ..." run as it is written, in a new virtualenv and project.

Its bash blocks run in order in one bash, its python blocks are written to the files they name (appended
"At the end of" one), with two substitutions only: this interpreter for ``python3.12`` and a copy of this
checkout for ``path/to/k8s-tasks``. So: the wheel is built and installed with its extras from the
package index (pip's cache makes it quicker), ``django-admin startproject``, migrate, the local cluster
with the package's default nodes, the CRDs and a TaskQueue with the real kubectl, the operator, a task and
its result and log tail, as the README's output shows. Then what the README says beside the commands: the
operator's first line names the database, jsonschema comes with the ``testing`` extra only, and an
operator started without ``PYTHONPATH`` gives the task the README's reason naming ``mysite``.

It does not depend on the suite's database (the project uses its own SQLite): it runs in the SQLite run
only. About a minute, most of it ``pip install``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
TITLE = "## Your own project, from `startproject` to a result on the local cluster"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        os.environ.get("K8S_TASKS_TEST_DB") == "postgres",
        reason="the walk-through uses its own SQLite project: it runs once, in the SQLite run",
    ),
]

CHECKS = r"""
echo "== what the README says beside the commands"
serving="serving namespace default (from OPTIONS); backends default on database default"
grep -F "$serving (sqlite3 NAME=$PWD/db.sqlite3)" operator.log
python - <<'PY'
import importlib.metadata as metadata
from packaging.requirements import Requirement
needs = sorted(
    d.metadata["Name"].lower()
    for d in metadata.distributions()
    for r in map(Requirement, d.requires or [])
    if r.name == "jsonschema" and r.marker is None
)
print("jsonschema required by:", needs)
PY
kill %2
wait %2 || true
python -m k8s_tasks_operator > operator-without-pythonpath.log 2>&1 &
python manage.py shell -c "
import time
import k8s_tasks
from videos.tasks import transcode

result = transcode.enqueue(video_id=8)
while not result.is_finished:
    time.sleep(0.5)
    result.refresh()
print('WITHOUT PYTHONPATH:', result.status, k8s_tasks.details(result).reason.splitlines()[0])
"
echo "== done"
"""


def section() -> str:
    readme = (ROOT / "README.md").read_text()
    assert TITLE in readme
    return readme.split(TITLE, 1)[1].split("\n## ", 1)[0]


def blocks(text: str) -> list[tuple[str, str, str]]:
    """(language, code, the last line of text before it) of each fenced block, in order."""
    found, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        opening = re.fullmatch(r"```(\w+)", lines[i])
        if opening is None:
            i += 1
            continue
        end = lines.index("```", i + 1)
        before = next((line for line in reversed(lines[:i]) if line.strip()), "")
        found.append((opening.group(1), "\n".join(lines[i + 1 : end]) + "\n", before))
        i = end + 1
    return found


def script(src: Path) -> str:
    parts = ["set -e"]
    for language, code, before in blocks(section()):
        if language == "bash":
            parts.append(code.replace("python3.12", sys.executable).replace("path/to/k8s-tasks", str(src)))
        elif language == "python":
            target = re.findall(r"`([\w/]+\.py)`", before)
            assert target, f"a python block without a file to write: {before!r}"
            mode = ">>" if before.startswith("At the end of") else ">"
            parts.append(f"cat {mode} {target[-1]} <<'PYTHON'\n{code}PYTHON\n")
    return "\n".join(parts) + CHECKS


def checkout_copy(dest: Path) -> Path:
    """What `pip wheel` of this checkout packages (the tree as it is, caches left out)."""
    src = dest / "k8s-tasks"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in ("k8s_tasks", "operator"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    return src


def walk(work: Path, text: str, env: dict[str, str]) -> tuple[str, str]:
    """Run the walk-through `text` as walk.sh in `work`; its output, and the tails of the project's logs.
    Whatever it started (the cluster, the operator) is stopped with it."""
    (work / "walk.sh").write_text(text)
    process = subprocess.Popen(
        ["bash", "walk.sh"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the cluster and the operator it starts go with it
    )
    try:
        out, _ = process.communicate(timeout=270)  # within pytest-timeout's 300 s
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    logs = "".join(
        f"\n--- {p.name}\n{p.read_text()[-3000:]}"
        for p in sorted((work / "mysite").glob("*.log"))
        if p.is_file()
    )
    return out, logs


def test_the_readme_gets_a_new_project_running(tmp_path: Path) -> None:
    src = checkout_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DJANGO", "K8S_", "VIRTUAL"))}
    env.update(
        PATH=f"{KUBECTL.parent}:/usr/local/bin:/usr/bin:/bin", HOME=os.environ.get("HOME", str(tmp_path))
    )
    env.pop("KUBECONFIG", None)
    work = tmp_path / "work"
    work.mkdir()
    out, logs = walk(work, script(src), env)
    assert "== done" in out, out[-8000:] + logs
    lines = out.splitlines()
    # The cluster's default nodes, one per pool.
    nodes = {
        line.split()[0]: line.split()[-1] for line in lines if re.match(r"(general|highmem|gpu)-1 ", line)
    }
    assert nodes == {"general-1": "general", "highmem-1": "highmem", "gpu-1": "gpu"}, out
    assert "taskqueue.k8stasks.io/default created" in lines
    # The result and its log tail as the README shows them (ids differ).
    consoles = [code for language, code, _ in blocks(section()) if language == "console"]
    expected = consoles[0]
    actual = {UUID.sub("ID", line) for line in lines}
    for line in expected.splitlines():
        assert UUID.sub("ID", line) in actual, (line, out[-4000:])
    assert "jsonschema required by: ['kubernetes-validate']" in lines
    # An operator that does not pass PYTHONPATH: the task fails saying which module and how to fix it.
    reason = consoles[1].strip().removesuffix("...")
    failed = next(line for line in lines if line.startswith("WITHOUT PYTHONPATH:"))
    assert failed.startswith("WITHOUT PYTHONPATH: FAILED " + reason), failed
