"""API warnings (the ``Warning: 299 - "..."`` response headers kubectl prints as ``Warning: ...``): code
that handles a request adds them with ``warn``; the request filters send those of the request they run for.
A warning added outside any request (a controller's write) goes nowhere, as on a real cluster."""

import contextvars

_current: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("api_warnings", default=None)


def start() -> list[str]:
    """Collect the warnings of the request running in this context; returns the list they go to."""
    collected: list[str] = []
    _current.set(collected)
    return collected


def warn(text: str) -> None:
    collected = _current.get()
    if collected is not None and text not in collected:
        collected.append(text)


def header(text: str) -> str:
    """One Warning header value (RFC 7234: code 299, agent "-", the text quoted)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'
