"""The examples' pure helpers: the upload scanner (03's model: test_digits_model.py; 04's ffmpeg and MP4
reading: test_transcode_tools.py)."""

import pytest
from upload_scan import EICAR, verdict


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
