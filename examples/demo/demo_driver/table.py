"""The progress table and the demo's output width: plain text, one row per task (rendering is pure;
LiveTable prints it).

The table fits the width it is given (80 columns when not on a terminal): DETAIL beside its row when
there is room, else under it, wrapped. A READY row shows no node: its pod may be placed, but the task
has not started there yet (DETAIL says where its pod is starting)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from typing import TextIO

from .plan import Outcome, Planned

COLUMNS = ("EXAMPLE", "TASK", "QUEUE", "STATUS", "TRY", "NODE")
DEFAULT_WIDTH = 80
MIN_INLINE_DETAIL = 36
"""DETAIL goes under its row when less room is left beside it."""
MAX_DETAIL = 200
INDENT = "    "
STARTED = ("RUNNING", "SUCCESSFUL", "FAILED")


def output_width(stream: TextIO) -> int:
    """The terminal's width, or COLUMNS (80 if unset) when not on a terminal."""
    if stream.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else DEFAULT_WIDTH


def detail(outcome: Outcome) -> str:
    """The reason a person should read: the failure or pending reason, else the return value."""
    if outcome.status == "FAILED":
        error = (outcome.last_error or "").rsplit(".", 1)[-1]
        text = (
            outcome.reason if outcome.reason.startswith(error) else f"{error}: {outcome.reason}".rstrip(": ")
        )
    elif outcome.status == "SUCCESSFUL":
        text = f"-> {outcome.return_value!r}"
    elif outcome.reason:
        text = outcome.reason
    elif outcome.status == "READY" and outcome.job_name:
        where = f" on {outcome.node}" if outcome.node else ""
        text = f"Job created, its pod is starting{where}"
    else:
        text = ""
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def rows(plan: list[Planned], outcomes: dict[str, Outcome]) -> list[tuple[tuple[str, ...], str]]:
    """(cells, detail) per task."""
    result: list[tuple[tuple[str, ...], str]] = []
    for planned in plan:
        outcome = outcomes.get(planned.result_id)
        if outcome is None:
            result.append(((planned.example, planned.label, planned.queue, "-", "", ""), planned.waiting))
            continue
        node = (outcome.node or "") if outcome.status in STARTED else ""
        cells = (planned.example, planned.label, planned.queue, outcome.status, str(outcome.attempt), node)
        result.append((cells, detail(outcome)))
    return result


def _clip(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(room - 3, 0)] + "..."


def render(plan: list[Planned], outcomes: dict[str, Outcome], width: int = DEFAULT_WIDTH) -> str:
    """The table within `width` columns: with the examples' names and DETAIL beside each row when that
    leaves DETAIL room enough, else with their numbers (EX), else with DETAIL under each row."""
    found = rows(plan, outcomes)
    for short in (False, True):
        header = ("EX", *COLUMNS[1:]) if short else COLUMNS
        table = [header, *((c[0][:2], *c[1:]) if short else c for c, _ in found)]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        room = width - sum(widths) - 2 * len(widths)
        if room >= MIN_INLINE_DETAIL:
            details = ["DETAIL", *(_clip(d, room) for _, d in found)]
            return "\n".join(_line(cells, widths, text) for cells, text in zip(table, details, strict=True))
    lines = [_line(table[0], widths, "")]
    for cells, (_, text) in zip(table[1:], found, strict=True):
        lines.append(_line(cells, widths, ""))
        wrapped = textwrap.wrap(text, width - len(INDENT), break_on_hyphens=False) if text else []
        if len(wrapped) > 3:
            wrapped = [*wrapped[:2], _clip(wrapped[2] + " " + wrapped[3], width - len(INDENT))]
        lines.extend(INDENT + line for line in wrapped)
    return "\n".join(lines)


def _line(cells: tuple[str, ...], widths: list[int], text: str) -> str:
    return (
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + "  " + text
    ).rstrip()


def fit_table(text: str, width: int) -> tuple[str, list[str]]:
    """A table as kubectl prints it, within `width` columns: gaps of two spaces (every row shifts alike,
    so columns stay aligned), then, while too wide, without AGE, then without the widest other column.
    Returns the table and the names of the columns left out."""
    lines = text.splitlines()
    if not lines or max(len(line) for line in lines) <= width:
        return text, []
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s{2}))\S", lines[0])]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    grid = [[line[a:b].strip() for a, b in bounds] for line in lines]
    dropped: list[str] = []
    while True:
        widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
        if sum(widths) + 2 * (len(widths) - 1) <= width or len(widths) <= 2:
            break
        names = grid[0]
        gone = names.index("AGE") if "AGE" in names else max(range(1, len(names)), key=lambda i: widths[i])
        dropped.append(names[gone])
        grid = [row[:gone] + row[gone + 1 :] for row in grid]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in grid]
    return "\n".join(out), dropped


def fit_line(line: str, width: int) -> str:
    """A line of the demo's own within `width` columns: wrapped, continued two spaces further in."""
    if len(line) <= width:
        return line
    lead = line[: len(line) - len(line.lstrip())]
    return textwrap.fill(line, width, subsequent_indent=lead + "  ", break_on_hyphens=False)


def summary(outcomes: dict[str, Outcome]) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


class LiveTable:
    """On a terminal, redraws the table in place whenever it changes; elsewhere (a log, a pipe) prints
    only the final one."""

    def __init__(self, stream: TextIO | None = None, columns: int | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.columns = columns or output_width(self.stream)
        self.last = ""

    def show(self, text: str, *, final: bool = False) -> None:
        if not self.tty:
            if final:
                self.stream.write(text + "\n")
                self.stream.flush()
            return
        # Lines are clipped to the terminal's width: a wrapped line would break the redraw.
        text = "\n".join(line[: self.columns] for line in text.splitlines())
        if text == self.last:
            return
        if self.last:  # move up over the previous table and clear to the end of the screen
            self.stream.write(f"\x1b[{self.last.count(chr(10)) + 1}F\x1b[J")
        self.stream.write(text + "\n")
        self.stream.flush()
        self.last = text

    def forget(self) -> None:
        """Something else was printed below the table: start the next one afresh."""
        self.last = ""
