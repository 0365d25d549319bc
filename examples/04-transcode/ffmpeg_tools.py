"""ffmpeg for 04-transcode, without Django: find it, pick the encoder, run it with progress, probe a file.

The ffmpeg binary is the one the ``imageio-ffmpeg`` package ships (``pip install 'k8s-tasks[examples]'``;
``IMAGEIO_FFMPEG_EXE`` points it elsewhere), else ``ffmpeg`` on ``PATH``.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SOURCE_SIZE = "1280x720"
TARGET_SIZE = "640x360"
VIDEO_BITRATE = "400k"
AUDIO_BITRATE = "96k"
THREADS = "2"
"""Pinned, so the memory measured for the queue holds on a node with more cores (x264 runs 1.5 threads
per core by default, and memory grows with them)."""


class FFmpegError(RuntimeError):
    pass


def find_ffmpeg() -> str:
    try:
        import imageio_ffmpeg
    except ImportError:
        found = shutil.which("ffmpeg")
        if found:
            return found
        raise FFmpegError(
            "no ffmpeg: install the examples extra (pip install 'k8s-tasks[examples]': imageio-ffmpeg ships "
            "an ffmpeg binary) or put ffmpeg on PATH"
        ) from None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def version(ffmpeg: str) -> str:
    """The version ffmpeg reports, e.g. ``n9.0.2-17-g2a571b6068-20260930`` or ``7.1.1-1+b1``."""
    out = subprocess.run([ffmpeg, "-hide_banner", "-version"], capture_output=True, text=True, check=True)
    match = re.match(r"ffmpeg version (\S+)", out.stdout)
    return match.group(1) if match else out.stdout.splitlines()[0]


def has_encoder(ffmpeg: str, name: str) -> bool:
    out = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, check=True)
    return any(line.split()[1:2] == [name] for line in out.stdout.splitlines())


def visible_gpu() -> str | None:
    """What says a GPU is visible to this process (the NVIDIA device plugin's env or device files)."""
    value = os.environ.get("NVIDIA_VISIBLE_DEVICES", "")
    if value and value.lower() not in ("void", "none"):
        return f"NVIDIA_VISIBLE_DEVICES={value}"
    devices = sorted(str(p) for p in Path("/dev").glob("nvidia[0-9]*"))
    return ", ".join(devices) or None


def first_error(stderr: str) -> str:
    """ffmpeg's first error line without its ``[h264_nvenc @ 0x55...]`` prefix."""
    for line in stderr.splitlines():
        text = re.sub(r"^(\[[^]]*\] ?)+", "", line).strip()
        if text:
            return text
    return "no message"


def nvenc_problem(ffmpeg: str) -> str | None:
    """Why h264_nvenc cannot encode here (None: it can), found by encoding one frame with it."""
    if not has_encoder(ffmpeg, "h264_nvenc"):
        return "this ffmpeg has no h264_nvenc"
    probe = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi"]
    probe += ["-i", "testsrc=size=256x144:rate=25:duration=0.04", "-c:v", "h264_nvenc", "-f", "null", "-"]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        return None
    gpu = visible_gpu()
    return f"h264_nvenc failed here ({first_error(done.stderr)}; {f'GPU {gpu}' if gpu else 'no GPU visible'})"


def choose_encoder(ffmpeg: str, wanted: str) -> tuple[str, str]:
    """(encoder, why): ``auto`` is NVENC when ffmpeg and the node can run it, else libx264."""
    if wanted not in ("auto", "h264_nvenc", "libx264"):
        raise ValueError(f"encoder is {wanted!r}; use auto, h264_nvenc or libx264")
    if wanted == "libx264":
        return "libx264", "libx264 asked for"
    problem = nvenc_problem(ffmpeg)
    if problem is None:
        return "h264_nvenc", "h264_nvenc: NVENC, the GPU's hardware encoder"
    if wanted == "h264_nvenc":
        raise FFmpegError(problem)
    return "libx264", f"libx264 on the CPU: {problem}"


def encoder_args(encoder: str) -> list[str]:
    rate = ["-b:v", VIDEO_BITRATE, "-maxrate", VIDEO_BITRATE, "-bufsize", "800k"]
    if encoder == "h264_nvenc":
        return ["-c:v", "h264_nvenc", "-preset", "p4", *rate]
    return ["-c:v", "libx264", "-preset", "medium", *rate, "-threads", THREADS]


def synthesize_args(seconds: float, target: Path) -> list[str]:
    """A test clip: ffmpeg's ``testsrc`` pattern at 720p and a 440 Hz ``sine``, lightly compressed."""
    video = f"testsrc=size={SOURCE_SIZE}:rate=25:duration={seconds}"
    audio = f"sine=frequency=440:sample_rate=48000:duration={seconds}"
    inputs = ["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio]
    return [*inputs, "-c:v", "mpeg4", "-q:v", "2", "-c:a", "pcm_s16le", "-threads", THREADS, str(target)]


def transcode_args(source: Path, target: Path, encoder: str) -> list[str]:
    """H.264 at 640x360 and 400 kb/s, AAC at 96 kb/s, in an MP4 whose index comes first (streamable)."""
    width, height = TARGET_SIZE.split("x")
    video = ["-vf", f"scale={width}:{height}", *encoder_args(encoder)]
    audio = ["-c:a", "aac", "-b:a", AUDIO_BITRATE]
    return ["-threads", THREADS, "-i", str(source), *video, *audio, "-movflags", "+faststart", str(target)]


@dataclass
class Progress:
    """One ``-progress`` report of ffmpeg: how much of the clip is done, and how fast."""

    done_seconds: float
    speed: str
    finished: bool


def parse_progress(lines: list[str]) -> Progress:
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    raw = values.get("out_time_us", "N/A")
    done = int(raw) / 1e6 if raw.lstrip("-").isdigit() else 0.0
    return Progress(max(done, 0.0), values.get("speed", "N/A").strip(), values.get("progress") == "end")


def run_with_progress(
    ffmpeg: str, args: list[str], total_seconds: float, report: Callable[[Progress], None], log: Path
) -> None:
    """Run ffmpeg; call ``report`` for each progress report (five times a second, and at the end). Its
    messages go to ``log``; a failure raises FFmpegError with the first error."""
    command = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "warning"]
    command += ["-nostats", "-progress", "pipe:1", "-stats_period", "0.2", *args]
    with log.open("w") as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)
        assert proc.stdout is not None
        block: list[str] = []
        for line in proc.stdout:
            block.append(line.strip())
            if line.startswith("progress="):
                report(parse_progress(block))
                block = []
        code = proc.wait()
    if code != 0:
        raise FFmpegError(f"ffmpeg exited with {code}: {first_error(log.read_text())} (all of it in {log})")


def children_peak_rss_mib() -> float:
    """The peak resident memory of the largest child process waited for (ffmpeg), in MiB."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def self_peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(frozen=True)
class Probe:
    duration_seconds: float
    video: str
    """codec and size, e.g. ``h264 640x360``"""
    audio: str


def parse_probe(text: str) -> Probe:
    """What ``ffmpeg -i FILE`` says about a file (the clip's duration, video codec and size, audio codec)."""
    duration = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    video = re.search(r"Stream #\d+:\d+\S*: Video: (\w+).*?, (\d{2,5}x\d{2,5})", text)
    audio = re.search(r"Stream #\d+:\d+\S*: Audio: (\w+)", text)
    if not (duration and video):
        raise FFmpegError(f"ffmpeg -i did not describe a video: {text[-500:]}")
    hours, minutes, seconds = duration.groups()
    return Probe(
        round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 2),
        f"{video.group(1)} {video.group(2)}",
        audio.group(1) if audio else "none",
    )


def probe(ffmpeg: str, path: Path) -> Probe:
    # ffmpeg with an input and no output describes the input and exits 1: that is what is read here.
    done = subprocess.run([ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    return parse_probe(done.stderr)
