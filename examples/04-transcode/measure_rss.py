"""Measure the peak memory of the transcode task's pod, to size the highmem queue from.

Enqueues ``transcode`` and runs it as its pod does (``python -m k8s_tasks run <id>``: the supervisor, the
runner and ffmpeg under it), polling the whole process tree every 10 ms for

- PSS: each page counted once, shared ones divided among their processes; what a cgroup charges, and
  what the local cluster's kubelet compares with a pod's memory limit (k8s_tasks.testing.sim.runtime);
- RSS: every process's resident pages summed, shared ones as often as they are mapped (an upper bound).

Run in the demo project's environment (examples/README.md, "By hand"), e.g.

    python examples/04-transcode/measure_rss.py --runs 3 --seconds 8
"""

import argparse
import contextlib
import subprocess
import sys
import time
from pathlib import Path

import django

POLL_SECONDS = 0.01


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                todo.extend(int(child) for child in task.read_text().split())
    return pids


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_rss(pid: int) -> int:
    total = 0
    for each in tree(pid):
        with contextlib.suppress(OSError, ValueError):
            total += rss(each)
    return total


def measure(result_id: str) -> tuple[int, int, float]:
    """(peak PSS, peak RSS, seconds) of one run of the task's pod command."""
    from k8s_tasks.testing.sim.runtime import tree_rss as tree_pss

    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "k8s_tasks", "run", result_id], stdout=subprocess.DEVNULL)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        peak_pss, peak_rss = max(peak_pss, tree_pss(proc.pid)), max(peak_rss, tree_rss(proc.pid))
        time.sleep(POLL_SECONDS)
    if proc.returncode != 0:
        raise SystemExit(f"the task's pod command exited with {proc.returncode}")
    return peak_pss, peak_rss, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="the clip's length (default 8)")
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from transcode import transcode

    mib = 1024 * 1024
    peaks = []
    for run in range(1, args.runs + 1):
        result = transcode.enqueue(seconds=args.seconds)
        pss, rss_peak, took = measure(result.id)
        result.refresh()
        inside = result.return_value["peak_rss_mib"]
        peaks.append((pss, rss_peak))
        print(
            f"run {run}: peak PSS {pss / mib:.0f} MiB, peak RSS {rss_peak / mib:.0f} MiB over {took:.1f} s; "
            f"getrusage: ffmpeg {inside['ffmpeg']} MiB, runner {inside['task']} MiB"
        )
    print(
        f"max of {args.runs} runs: PSS {max(p for p, _ in peaks) / mib:.0f} MiB, "
        f"RSS {max(r for _, r in peaks) / mib:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
