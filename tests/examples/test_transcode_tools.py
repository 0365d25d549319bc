"""04-transcode's ffmpeg helpers with the real ffmpeg (imageio-ffmpeg's), and its pure-Python MP4 reader."""

import struct
from pathlib import Path

import ffmpeg_tools as ff
import pytest
from mp4info import NotMp4, read_mp4

PROBE_TEXT = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'small.mp4':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 447 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 640x360 [SAR 1:1 \
DAR 16:9], 341 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, mono, fltp, 96 kb/s (default)
"""


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    return ff.find_ffmpeg()


def test_parse_probe() -> None:
    assert ff.parse_probe(PROBE_TEXT) == ff.Probe(62.5, "h264 640x360", "aac")
    with pytest.raises(ff.FFmpegError, match="did not describe a video"):
        ff.parse_probe("small.mp4: Invalid data found when processing input")


def test_parse_progress() -> None:
    block = ["frame=50", "out_time_us=2000000", "speed=3.1x", "progress=continue"]
    assert ff.parse_progress(block) == ff.Progress(2.0, "3.1x", False)
    assert ff.parse_progress(["out_time_us=N/A", "speed=N/A", "progress=end"]) == ff.Progress(
        0.0, "N/A", True
    )


def test_first_error_drops_the_component_prefix() -> None:
    stderr = "[h264_nvenc @ 0x55b7] Cannot load libcuda.so.1\n[vost#0:0/h264_nvenc @ 0x55] [enc:x] Error\n"
    assert ff.first_error(stderr) == "Cannot load libcuda.so.1"


def test_transcode_a_tiny_clip_to_h264(ffmpeg: str, tmp_path: Path) -> None:
    source, target = tmp_path / "source.mkv", tmp_path / "small.mp4"
    seen: list[ff.Progress] = []
    ff.run_with_progress(ffmpeg, ff.synthesize_args(1.0, source), 1.0, seen.append, tmp_path / "a.log")
    ff.run_with_progress(
        ffmpeg, ff.transcode_args(source, target, "libx264"), 1.0, seen.append, tmp_path / "b.log"
    )
    assert [p.finished for p in seen].count(True) == 2  # each run ends with progress=end
    assert ff.probe(ffmpeg, source) == ff.Probe(1.0, "mpeg4 1280x720", "pcm_s16le")
    assert ff.probe(ffmpeg, target) == ff.Probe(1.0, "h264 640x360", "aac")
    info = read_mp4(target)  # the same, from the file's own boxes
    video, audio = info.track("vide"), info.track("soun")
    assert video is not None and (video.codec, video.width, video.height) == ("avc1", 640, 360)
    assert video.profile == "High" and video.duration_seconds == 1.0
    assert audio is not None and (audio.codec, audio.sample_rate, audio.channels) == ("mp4a", 48000, 1)
    assert info.moov_before_mdat and info.brand == "isom"


def test_a_failing_run_says_why(ffmpeg: str, tmp_path: Path) -> None:
    with pytest.raises(ff.FFmpegError, match=r"ffmpeg exited with \d+: .*No such file"):
        ff.run_with_progress(
            ffmpeg,
            ["-i", str(tmp_path / "missing.mkv"), str(tmp_path / "x.mp4")],
            1,
            print,
            tmp_path / "c.log",
        )


def test_auto_says_which_encoder_and_why(ffmpeg: str) -> None:
    encoder, why = ff.choose_encoder(ffmpeg, "auto")
    if ff.nvenc_problem(ffmpeg) is None:  # a machine with an NVIDIA GPU and its driver
        assert (encoder, why) == ("h264_nvenc", "h264_nvenc: NVENC, the GPU's hardware encoder")
    else:
        assert encoder == "libx264" and why == f"libx264 on the CPU: {ff.nvenc_problem(ffmpeg)}"
        with pytest.raises(ff.FFmpegError):
            ff.choose_encoder(ffmpeg, "h264_nvenc")
    assert ff.choose_encoder(ffmpeg, "libx264") == ("libx264", "libx264 asked for")
    with pytest.raises(ValueError, match="use auto, h264_nvenc or libx264"):
        ff.choose_encoder(ffmpeg, "vp9")


def test_version(ffmpeg: str) -> None:
    assert ff.version(ffmpeg)[:1].isalnum()


def test_not_an_mp4(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(struct.pack(">I4s", 4, b"ftyp"))
    with pytest.raises(NotMp4, match="bad size"):
        read_mp4(junk)
    junk.write_bytes(struct.pack(">I4s", 12, b"ftyp") + b"isom")
    with pytest.raises(NotMp4, match="no ftyp or no moov"):
        read_mp4(junk)
