"""The id of a tick's run, derived from (schedule uid, scheduled time): the unique key that makes a tick
enqueue exactly once, whichever operator replica gets there, however often.

The id is a UUID (RFC 9562 version 8) whose first 48 bits are the tick's Unix time in milliseconds (as
in a version 7 UUID) and whose other 74 free bits are a SHA-256 of the key. So it is a valid task id, a
Job name part and a label value like any other, the same for the same key on every replica, and the
scheduled time can be read back from the id alone: in any task pod, sealed ones (no database) too. Ids
of ordinary tasks are version 4 UUIDs and never read as scheduled.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

VERSION = 8


def run_id(schedule_uid: str, tick: datetime) -> str:
    """The task id of the run of `tick` (an aware datetime) of the schedule with this uid."""
    millis = round(tick.timestamp() * 1000)
    if not 0 <= millis < 1 << 48:
        raise ValueError(f"tick {tick.isoformat()} is outside the years 1970-10889")
    key = f"{schedule_uid}@{millis}".encode()
    digest = int.from_bytes(hashlib.sha256(key).digest()[:10], "big")  # 80 bits, 74 used
    rand_a = digest >> 68 & 0xFFF  # 12 bits
    rand_b = digest & ((1 << 62) - 1)  # 62 bits
    value = millis << 80 | VERSION << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def scheduled_at(task_id: str) -> datetime | None:
    """The scheduled time of the tick a run id was made for; None for any other id."""
    try:
        value = uuid.UUID(str(task_id))
    except ValueError:
        return None
    if value.version != VERSION or value.variant != uuid.RFC_4122:
        return None
    return datetime.fromtimestamp((value.int >> 80) / 1000, UTC)
