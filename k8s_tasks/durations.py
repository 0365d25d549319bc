"""Ages on the command line and in settings: ``90s``, ``30m``, ``2h``, ``1d``, ``2w`` (a whole number and
a unit), as prune --older-than, status --since and the operator's --prune-after take them."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_age(text: str, what: str = "the age") -> timedelta:
    """``30m`` -> 30 minutes; ValueError saying what to write for anything else (0 and bare numbers too)."""
    match = _AGE.match(str(text).lower())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(
            f"{what} {text!r} is not an age: write a whole number > 0 and a unit, s, m, h, d or w "
            "(e.g. 90s, 30m, 2h, 1d, 2w)"
        )
    return timedelta(seconds=int(match.group(1)) * UNITS[match.group(2)])


def format_age(age: timedelta) -> str:
    """The largest unit that divides it: 30 days -> ``30d``, 90 minutes -> ``90m``."""
    seconds = int(age.total_seconds())
    for unit, size in sorted(UNITS.items(), key=lambda item: -item[1]):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
