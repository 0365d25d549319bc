"""The small JSONPath subset CRD additionalPrinterColumns use: ``.a.b``, ``.a[0]``, ``.a[?(@.k=="v")].b``."""

import re
from typing import Any

_TOKEN = re.compile(
    r"\.([A-Za-z0-9_\-/]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_\-]+)\s*==\s*[\"']([^\"']*)[\"']\)\]"
)


def evaluate(obj: Any, path: str) -> Any:
    """The value at ``path`` in ``obj``, or None if any step is missing."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if text.startswith("$"):
        text = text[1:]
    value = obj
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        key, index, filter_key, filter_value = match.groups()
        if key is not None:
            value = value.get(key) if isinstance(value, dict) else None
        elif index is not None:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
        else:
            value = (
                next(
                    (
                        v
                        for v in value or []
                        if isinstance(v, dict) and str(v.get(filter_key)) == filter_value
                    ),
                    None,
                )
                if isinstance(value, list)
                else None
            )
        if value is None:
            return None
        pos = match.end()
    return value
