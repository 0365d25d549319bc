"""Pure functions: summaries of repeated measurements, the result rows, and the printed table."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def label(n: int) -> str:
    """1000 -> '1k', 200000 -> '200k', 100 -> '100'."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def column(reps: Sequence[dict[str, Any]], *path: str) -> list[float]:
    """One number per repetition, found in each by the same path of keys."""
    values = []
    for rep in reps:
        value: Any = rep
        for key in path:
            value = value[key]
        values.append(float(value))
    return values


def ratios(ours: Sequence[float], ceiling: Sequence[float]) -> list[float]:
    """Per repetition: ours / the ceiling measured in the same repetition."""
    if len(ours) != len(ceiling):
        raise ValueError(f"{len(ours)} values against {len(ceiling)} ceilings")
    return [o / c for o, c in zip(ours, ceiling, strict=True)]


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("summary of no values")
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass
class Result:
    """One row of bench/results/latest.json and of the table."""

    metric: str
    value: float
    unit: str
    peer_value: float | None
    ratio: float | None
    target: str
    passed: bool | None
    database: str
    size: str
    min: float
    max: float
    repetitions: int
    peer_min: float | None = None
    peer_max: float | None = None
    note: str = ""
    aim_met: bool | None = None
    """For a level aimed at next, not a target of this run: whether it is reached (`passed` stays None)."""
    samples: list[float] = field(default_factory=list)
    peer_samples: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pass"] = data.pop("passed")
        return data


Check = Callable[[float, float | None], bool]


def result(
    metric: str,
    unit: str,
    ours: Sequence[float],
    peer: Sequence[float] | None,
    *,
    database: str,
    size: str,
    target: str = "",
    check: Check | None = None,
    aim: Check | None = None,
    note: str = "",
) -> Result:
    """Summarize our samples (and the peer's); `check(our_median, peer_median)` decides pass/fail; `aim`
    (instead) says whether a level aimed at next is reached, without passing or failing the run."""
    mine = Summary.of(ours)
    theirs = Summary.of(peer) if peer else None
    peer_value = theirs.median if theirs else None
    ratio = mine.median / peer_value if peer_value else None
    return Result(
        metric=metric,
        value=round(mine.median, 4),
        unit=unit,
        peer_value=round(peer_value, 4) if peer_value is not None else None,
        ratio=round(ratio, 3) if ratio is not None else None,
        target=target,
        passed=check(mine.median, peer_value) if check else None,
        database=database,
        size=size,
        min=round(mine.low, 4),
        max=round(mine.high, 4),
        repetitions=mine.n,
        peer_min=round(theirs.low, 4) if theirs else None,
        peer_max=round(theirs.high, 4) if theirs else None,
        note=note,
        aim_met=aim(mine.median, peer_value) if aim else None,
        samples=[round(v, 4) for v in ours],
        peer_samples=[round(v, 4) for v in peer or ()],
    )


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    text = f"{value:.2f}"
    if float(text).is_integer() and not round(value, 4).is_integer():
        return f"{value:.4f}"  # 2.0001 writes/task would read "2.00" and yet miss "<= 2"
    return text


def verdict(r: Result) -> str:
    """PASS / FAIL for a target; "aim met" / "below aim" for a level aimed at next; "info" otherwise."""
    if r.passed is not None:
        return "PASS" if r.passed else "FAIL"
    if r.aim_met is not None:
        return "aim met" if r.aim_met else "below aim"
    return "info"


def table(results: Sequence[Result]) -> str:
    """A plain-text table: one line per metric and database."""
    headers = ("metric", "db", "median", "min-max", "unit", "peer", "ratio", "target", "pass")
    lines = [
        (
            r.metric,
            r.database,
            _number(r.value),
            f"{_number(r.min)}-{_number(r.max)}",
            r.unit,
            _number(r.peer_value),
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target or "-",
            verdict(r),
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [headers, *lines]) for i in range(len(headers))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row) for row in lines]
    return "\n".join(out)
