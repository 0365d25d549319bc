"""Examples 03 and 04 on the local cluster, with the real operator, doing the real work: the demo runs them
(as `make demo` does), then this checks what they made, not only what they said.

- 04: each published file is an MP4 holding H.264 at 640x360 and AAC, as its own boxes say (mp4info, pure
  Python) and as ffmpeg -i says (imageio-ffmpeg ships ffmpeg, not ffprobe); the encoder is named (the GPU
  variant says NVENC ran, or why libx264 did); its progress is in the log tail the operator keeps.
- 03: the model's accuracy on the held-out split is at or above ACCURACY_FLOOR, on a named provider.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import ffmpeg_tools as ff
import pytest
from gpu_inference import ACCURACY_FLOOR
from mp4info import read_mp4

from .test_on_cluster import check_output, run_demo

pytestmark = pytest.mark.cluster

ROWS = """
import django, json
django.setup()
from k8s_tasks.models import TaskRecord
print(json.dumps([
    {"path": r.task_path, "queue": r.queue_name, "status": r.status, "value": r.return_value,
     "kwargs": r.kwargs, "log_tail": r.log_tail}
    for r in TaskRecord.objects.order_by("enqueued_at")
]))
"""


def task_rows(env: dict[str, str]) -> list[dict[str, Any]]:
    """Every task row of the demo's database (read in a process of the demo project)."""
    out = subprocess.run([sys.executable, "-c", ROWS], env=env, capture_output=True, text=True, check=True)
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


def test_digits_model_above_its_floor_on_the_gpu_pool(demo_env: dict[str, str]) -> None:
    result = run_demo(demo_env, "--example", "03-gpu-inference", "--deadline", "90")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    check_output(result.stdout)
    [row] = task_rows(demo_env)
    value = row["value"]
    expected = ("gpu_inference.classify_digits", "gpu", "SUCCESSFUL")
    assert (row["path"], row["queue"], row["status"]) == expected
    assert value["accuracy"] >= ACCURACY_FLOOR == value["accuracy_floor"], value
    assert value["held_out"] == 450 and value["images_per_second"] > 0
    assert value["provider"] in ("CUDAExecutionProvider", "CPUExecutionProvider") and value["provider_note"]
    assert value["node"] == "gpu-1"
    assert f"accuracy {value['accuracy']:.4f} on 450 held-out images" in row["log_tail"]


def test_transcode_makes_real_h264(demo_env: dict[str, str]) -> None:
    result = run_demo(demo_env, "--example", "04-transcode", "--deadline", "90")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    check_output(result.stdout)
    rows = task_rows(demo_env)
    assert [(r["queue"], r["status"]) for r in rows] == [("highmem", "SUCCESSFUL"), ("gpu", "SUCCESSFUL")]
    ffmpeg = ff.find_ffmpeg()
    for row in rows:
        value, seconds = row["value"], row["kwargs"]["seconds"]
        published = Path(value["published"])
        assert published.parent == Path(demo_env["K8S_DEMO_WORKDIR"]) / "transcoded"
        info = read_mp4(published)
        video, audio = info.track("vide"), info.track("soun")
        assert video is not None and (video.codec, video.width, video.height) == ("avc1", 640, 360)
        assert audio is not None and audio.codec == "mp4a"
        assert abs(video.duration_seconds - seconds) < 0.1 and info.moov_before_mdat
        assert ff.probe(ffmpeg, published) == ff.Probe(seconds, "h264 640x360", "aac")
        assert published.stat().st_size == value["output_bytes"] < value["source_bytes"]
        assert value["source"] == f"mpeg4 1280x720 + pcm_s16le, {seconds} s"
        assert value["encoder"] in ("h264_nvenc", "libx264")
        if value["encoder"] == "libx264":  # auto: it says why NVENC did not run
            assert value["encoder_note"].startswith("libx264 on the CPU: "), value
        log = row["log_tail"]
        assert f"encoder: {value['encoder_note']}" in log
        assert f"transcode: 100.0% ({seconds:.1f} of {seconds:.1f} s) done" in log
        assert f"ffmpeg {value['ffmpeg']} (" in log
