"""04-transcode: a memory-hungry job on the high-memory pool, with a scratch volume.

The ``highmem`` queue selects ``pool: highmem``, requests the memory it needs and mounts an emptyDir
scratch volume (the task root filesystem is read-only) whose path the queue passes as ``SCRATCH_DIR``.
With ``ffmpeg`` on PATH the task synthesises a test clip and transcodes it to a smaller one; without it,
a pure-Python stand-in does the same to a WAV file (halves the sample rate and the sample width) and
says so in its return value.
"""

import array
import math
import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any

from django.tasks import task


def scratch_dir() -> tuple[Path, str]:
    """The queue's scratch volume, or a temporary directory (named in the result) when it is absent."""
    wanted = os.environ.get("SCRATCH_DIR", "")
    if wanted and os.access(wanted, os.W_OK):
        return Path(wanted), wanted
    fallback = Path(tempfile.mkdtemp(prefix="transcode-"))
    why = f"{wanted} is not writable here" if wanted else "SCRATCH_DIR is not set"
    return fallback, f"{fallback} ({why})"


def write_tone(path: Path, seconds: float, rate: int = 16_000) -> None:
    """A 16-bit mono 440 Hz sine wave: the source "footage"."""
    samples = array.array(
        "h", (int(12_000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate)))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def downsample(source: Path, target: Path) -> None:
    """The stand-in transcoder: half the sample rate, 8-bit samples (WAV stores 8-bit as unsigned)."""
    with wave.open(str(source), "rb") as src:
        rate = src.getframerate()
        samples = array.array("h", src.readframes(src.getnframes()))
    halved = bytes((s >> 8) + 128 for s in samples[::2])
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate // 2)
        out.writeframes(halved)


def transcode_ffmpeg(ffmpeg: str, workdir: Path, seconds: float) -> tuple[Path, Path]:
    source, target = workdir / "source.mp4", workdir / "small.mp4"
    quiet = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(
        [*quiet, "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=640x360:rate=25", str(source)],
        check=True,
    )
    subprocess.run([*quiet, "-i", str(source), "-vf", "scale=320:180", str(target)], check=True)
    return source, target


@task(queue_name="highmem")
def transcode(seconds: float = 2.0) -> dict[str, Any]:
    """Make a source clip of `seconds` in scratch space and transcode it; report sizes and the tool."""
    workdir, scratch = scratch_dir()
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        source, target = transcode_ffmpeg(ffmpeg, workdir, seconds)
        tool = f"ffmpeg ({ffmpeg})"
    else:
        source, target = workdir / "source.wav", workdir / "small.wav"
        write_tone(source, seconds)
        downsample(source, target)
        tool = "pure-Python stand-in: ffmpeg is not installed, downsampled a WAV file instead"
    return {
        "tool": tool,
        "scratch": scratch,
        "source_bytes": source.stat().st_size,
        "output_bytes": target.stat().st_size,
        "node": os.environ.get("NODE_NAME", ""),
    }
