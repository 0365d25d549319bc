"""The live progress table: plain text, one line per task. Pure."""

from __future__ import annotations

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
            result.append((planned.example, planned.label, planned.queue, "?", "", "", "row not found"))
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
