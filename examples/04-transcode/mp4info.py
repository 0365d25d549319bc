"""What an MP4 file holds, read from its boxes in pure Python (no ffprobe, no ffmpeg): its tracks' codecs,
the video's size and H.264 profile, the audio's rate and channels, durations, and whether the index
(``moov``) comes before the media (``mdat``), as ``-movflags +faststart`` puts it.

ISO/IEC 14496-12 (the ISO base media file format) and 14496-15 (``avcC``). Usage: python mp4info.py FILE
"""

from __future__ import annotations

import json
import struct
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
H264_PROFILES = {66: "Baseline", 77: "Main", 88: "Extended", 100: "High", 110: "High 10", 122: "High 4:2:2"}


@dataclass
class Track:
    handler: str = ""
    """``vide`` or ``soun`` (hdlr)"""
    codec: str = ""
    """the sample entry's format: ``avc1`` is H.264, ``mp4a`` is AAC (MPEG-4 audio)"""
    duration_seconds: float = 0.0
    width: int = 0
    height: int = 0
    profile: str = ""
    sample_rate: int = 0
    channels: int = 0


@dataclass
class Mp4Info:
    brand: str = ""
    duration_seconds: float = 0.0
    tracks: list[Track] = field(default_factory=list)
    top_level: list[str] = field(default_factory=list)

    @property
    def moov_before_mdat(self) -> bool:
        boxes = self.top_level
        return "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")

    def track(self, handler: str) -> Track | None:
        return next((t for t in self.tracks if t.handler == handler), None)


class NotMp4(ValueError):
    pass


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box in data[start:end]."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise NotMp4(f"box {kind!r} at {pos} has a bad size {size}")
        yield kind, pos + header, pos + size
        pos += size


def top_level(stream: BinaryIO) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload offset, size) of the file's top-level boxes, without reading the media."""
    offset = 0
    while header := stream.read(8):
        if len(header) < 8:
            raise NotMp4(f"truncated box header at {offset}")
        size, kind = struct.unpack(">I4s", header)
        skip = 8
        if size == 1:
            (size,) = struct.unpack(">Q", stream.read(8))
            skip = 16
        elif size == 0:
            size = stream.seek(0, 2) - offset
        if size < skip:
            raise NotMp4(f"box {kind!r} at {offset} has a bad size {size}")
        yield kind, offset + skip, size - skip
        offset += size
        stream.seek(offset)


def duration(data: bytes, start: int) -> float:
    """Seconds of an mvhd or mdhd payload (version 0 or 1)."""
    if data[start] == 1:
        timescale, length = struct.unpack_from(">IQ", data, start + 20)
    else:
        timescale, length = struct.unpack_from(">II", data, start + 12)
    return round(length / timescale, 3) if timescale else 0.0


def sample_entry(data: bytes, start: int, end: int, track: Track) -> None:
    """The first entry of an stsd payload: its format, and the size or the audio's rate and channels."""
    _, first, entry_end = next(boxes(data, start + 8, end))  # after version, flags and entry_count
    track.codec = data[first - 4 : first].decode("latin-1")
    body = first + 8  # after the SampleEntry's reserved bytes and data_reference_index
    if track.handler == "vide":
        track.width, track.height = struct.unpack_from(">HH", data, body + 16)
        for kind, payload, _ in boxes(data, body + 70, entry_end):
            if kind == b"avcC":
                track.profile = H264_PROFILES.get(data[payload + 1], str(data[payload + 1]))
    elif track.handler == "soun":
        track.channels = struct.unpack_from(">H", data, body + 8)[0]
        track.sample_rate = struct.unpack_from(">I", data, body + 16)[0] >> 16


def walk(data: bytes, start: int, end: int, info: Mp4Info, track: Track | None) -> None:
    for kind, payload, box_end in boxes(data, start, end):
        if kind == b"mvhd":
            info.duration_seconds = duration(data, payload)
        elif kind == b"trak":
            info.tracks.append(Track())
            walk(data, payload, box_end, info, info.tracks[-1])
        elif kind in CONTAINERS:
            walk(data, payload, box_end, info, track)
        elif track is not None and kind == b"mdhd":
            track.duration_seconds = duration(data, payload)
        elif track is not None and kind == b"hdlr":
            track.handler = data[payload + 8 : payload + 12].decode("latin-1")
        elif track is not None and kind == b"stsd":
            sample_entry(data, payload, box_end, track)


def read_mp4(path: Path) -> Mp4Info:
    info = Mp4Info()
    with path.open("rb") as stream:
        for kind, offset, size in top_level(stream):
            info.top_level.append(kind.decode("latin-1"))
            if kind == b"ftyp":
                stream.seek(offset)
                info.brand = stream.read(4).decode("latin-1")
            elif kind == b"moov":
                stream.seek(offset)
                moov = stream.read(size)
                walk(moov, 0, len(moov), info, None)
    if not info.brand or "moov" not in info.top_level:
        raise NotMp4(f"{path} has no ftyp or no moov box: {info.top_level}")
    return info


if __name__ == "__main__":
    found = read_mp4(Path(sys.argv[1]))
    print(json.dumps({**asdict(found), "moov_before_mdat": found.moov_before_mdat}, indent=2))
