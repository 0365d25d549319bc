"""The examples' pure helpers: the inference fallback, the transcoding stand-in and the upload scanner."""

import array
import math
import wave
from pathlib import Path

import pytest
from gpu_inference import LABELS, scores_python, softmax
from transcode import downsample, write_tone
from upload_scan import EICAR, verdict


def test_softmax_is_a_distribution() -> None:
    scores = softmax([1.0, 2.0, 3.0])
    assert math.isclose(sum(scores), 1.0)
    assert scores == sorted(scores)


@pytest.mark.parametrize(
    ("features", "label"), [([1.0, 0.1, 0.0], "cat"), ([0.0, 1.0, 0.0], "dog"), ([0, 0.2, 1.5], "bird")]
)
def test_fallback_classifies(features: list[float], label: str) -> None:
    scores = scores_python(features)
    assert LABELS[scores.index(max(scores))] == label


def test_fallback_names_the_expected_length() -> None:
    with pytest.raises(ValueError, match="features has 2 values; the model takes 3"):
        scores_python([1.0, 2.0])


def test_stand_in_transcoder_halves_rate_and_width(tmp_path: Path) -> None:
    source, target = tmp_path / "in.wav", tmp_path / "out.wav"
    write_tone(source, 0.5, rate=8000)
    downsample(source, target)
    with wave.open(str(target), "rb") as out:
        assert (out.getframerate(), out.getsampwidth(), out.getnframes()) == (4000, 1, 2000)
        samples = array.array("B", out.readframes(out.getnframes()))
    assert min(samples) < 128 < max(samples)  # still a wave around the unsigned midpoint
    assert target.stat().st_size < source.stat().st_size / 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7 report", ("clean", [])),
        (b"prefix " + EICAR + b" suffix", ("infected", ["EICAR test signature"])),
        (b"\x7fELF\x02\x01", ("rejected", ["ELF executable header"])),
        (b"MZ" + EICAR, ("infected", ["EICAR test signature", "Windows executable header"])),
    ],
)
def test_scan_verdicts(data: bytes, expected: tuple[str, list[str]]) -> None:
    assert verdict(data) == expected
