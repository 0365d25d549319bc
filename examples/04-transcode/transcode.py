"""04-transcode: a real ffmpeg transcode on the high-memory pool, with a scratch volume.

The ``highmem`` queue selects ``pool: highmem``, requests the memory the task was measured to need and
mounts an emptyDir scratch volume (the pod's root filesystem is read-only) whose path it passes as
``SCRATCH_DIR``. The task synthesises a test clip there with ffmpeg's own sources (``testsrc`` video at
720p, a 440 Hz ``sine``), transcodes it to H.264/AAC at 640x360 and 400 kb/s, printing its progress
(kept in the pod's log and in the task's stored log tail), and reports the sizes, the duration, the
encoder and the ffmpeg version. ``encoder="auto"`` uses NVENC where ffmpeg and the node can (run it on
the ``gpu`` queue), else libx264, and says which ran and why.

Needs the ``examples`` extra: ``pip install 'k8s-tasks[examples]'`` (imageio-ffmpeg ships ffmpeg).
"""

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ffmpeg_tools as ff
from django.tasks import TaskContext, task

MAX_SECONDS = 600.0
"""The longest clip asked for: about 50 MB of source in the 1 GiB scratch volume, well within the queue's
timeoutSeconds."""


def scratch_dir() -> tuple[Path, str]:
    """The queue's scratch volume, or the temporary directory (named with why) when it is not there."""
    wanted = os.environ.get("SCRATCH_DIR", "")
    if wanted and os.access(wanted, os.W_OK):
        return Path(wanted), wanted
    fallback = Path(tempfile.gettempdir())
    why = f"{wanted} is not mounted here" if wanted else "SCRATCH_DIR is not set"
    return fallback, f"{fallback} ({why})"


def progress_printer(step: str, total: float) -> Callable[[ff.Progress], None]:
    """Prints each report that moves forward (ffmpeg's last reports, as it flushes, may go back)."""
    shown = [-1.0]

    def show(progress: ff.Progress) -> None:
        done = total if progress.finished else min(progress.done_seconds, total)
        if done <= shown[0]:
            return
        shown[0] = done
        state = "done" if progress.finished else f"speed {progress.speed}"
        print(f"{step}: {100 * done / total:5.1f}% ({done:.1f} of {total:.1f} s) {state}", flush=True)

    return show


@task(queue_name="highmem", takes_context=True)
def transcode(
    context: TaskContext, seconds: float = 10.0, encoder: str = "auto", publish_to: str = ""
) -> dict[str, Any]:
    """Synthesise a clip of `seconds` in scratch space and transcode it to H.264/AAC at 640x360; copy the
    result into the directory `publish_to` if given (the demo's work directory: a real application would
    upload it to object storage) as <task id>.mp4."""
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds is {seconds}; a clip is longer than 0 and at most {MAX_SECONDS:.0f} s")
    ffmpeg = ff.find_ffmpeg()
    chosen, why = ff.choose_encoder(ffmpeg, encoder)
    version = ff.version(ffmpeg)
    print(f"ffmpeg {version} ({ffmpeg})", flush=True)
    print(f"encoder: {why}", flush=True)
    root, scratch = scratch_dir()
    with tempfile.TemporaryDirectory(prefix="transcode-", dir=root) as work:
        source, target = Path(work) / "source.mkv", Path(work) / "small.mp4"
        print(f"synthesize {ff.SOURCE_SIZE} testsrc + 440 Hz sine, {seconds:g} s, into {work}", flush=True)
        ff.run_with_progress(
            ffmpeg,
            ff.synthesize_args(seconds, source),
            seconds,
            progress_printer("synthesize", seconds),
            Path(work) / "synthesize.log",
        )
        started = time.perf_counter()
        ff.run_with_progress(
            ffmpeg,
            ff.transcode_args(source, target, chosen),
            seconds,
            progress_printer("transcode", seconds),
            Path(work) / "transcode.log",
        )
        took = time.perf_counter() - started
        before, after = ff.probe(ffmpeg, source), ff.probe(ffmpeg, target)
        sizes = source.stat().st_size, target.stat().st_size
        published = ""
        if publish_to:
            Path(publish_to).mkdir(parents=True, exist_ok=True)
            published = str(shutil.copyfile(target, Path(publish_to) / f"{context.task_result.id}.mp4"))
    print(
        f"transcoded {sizes[0]} bytes ({before.video}) to {sizes[1]} bytes ({after.video} + {after.audio}), "
        f"{after.duration_seconds} s, in {took:.1f} s",
        flush=True,
    )
    return {
        "encoder": chosen,
        "encoder_note": why,
        "video": after.video,
        "audio": after.audio,
        "duration_s": after.duration_seconds,
        "source_bytes": sizes[0],
        "output_bytes": sizes[1],
        "source": f"{before.video} + {before.audio}, {before.duration_seconds} s",
        "transcode_s": round(took, 2),
        "ffmpeg": version,
        "peak_rss_mib": {"ffmpeg": ff.children_peak_rss_mib(), "task": ff.self_peak_rss_mib()},
        "scratch": scratch,
        "published": published,
        "node": os.environ.get("NODE_NAME", ""),
    }
