"""The live progress table: plain text, one line per task (rendering is pure; LiveTable prints it)."""

from __future__ import annotations

import shutil
import sys
from typing import TextIO

from .plan import Outcome, Planned

COLUMNS = ("EXAMPLE", "TASK", "QUEUE", "STATUS", "TRY", "NODE", "DETAIL")
MAX_DETAIL = 70


def detail(outcome: Outcome) -> str:
    """The reason a person should read: the failure or pending reason, else the return value."""
    if outcome.status == "FAILED":
        error = (outcome.last_error or "").rsplit(".", 1)[-1]
        text = (
            outcome.reason if outcome.reason.startswith(error) else f"{error}: {outcome.reason}".rstrip(": ")
        )
    elif outcome.status == "SUCCESSFUL":
        text = f"-> {outcome.return_value!r}"
    else:
        text = outcome.reason
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def rows(plan: list[Planned], outcomes: dict[str, Outcome]) -> list[tuple[str, ...]]:
    result: list[tuple[str, ...]] = []
    for planned in plan:
        outcome = outcomes.get(planned.result_id)
        if outcome is None:
            result.append((planned.example, planned.label, planned.queue, "-", "", "", planned.waiting))
            continue
        result.append(
            (
                planned.example,
                planned.label,
                planned.queue,
                outcome.status,
                str(outcome.attempt),
                outcome.node or "",
                detail(outcome),
            )
        )
    return result


def render(plan: list[Planned], outcomes: dict[str, Outcome]) -> str:
    lines = [COLUMNS, *rows(plan, outcomes)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS) - 1)]
    return "\n".join(
        (
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[-1]
        ).rstrip()
        for line in lines
    )


def summary(outcomes: dict[str, Outcome]) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


class LiveTable:
    """Prints the table again whenever it changes; on a terminal it redraws it in place."""

    def __init__(self, stream: TextIO | None = None, columns: int | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        # On a terminal, lines are clipped to its width: a wrapped line would break the redraw.
        self.columns = columns or shutil.get_terminal_size().columns
        self.last = ""

    def show(self, text: str) -> None:
        if self.tty:
            text = "\n".join(line[: self.columns] for line in text.splitlines())
        if text == self.last:
            return
        if self.last:
            # Move up over the previous table and clear to the end of the screen, or leave a blank line.
            self.stream.write(f"\x1b[{self.last.count(chr(10)) + 1}F\x1b[J" if self.tty else "\n")
        self.stream.write(text + "\n")
        self.stream.flush()
        self.last = text

    def forget(self) -> None:
        """Something else was printed below the table: start the next one afresh."""
        self.last = ""
