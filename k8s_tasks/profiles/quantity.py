"""Kubernetes resource quantities ("500m", "64Mi", "1.5G", "2", "1e3"), parsed strictly.

The grammar is the API server's (k8s.io/apimachinery resource.Quantity): a signed decimal number followed
by an optional binary suffix (Ki..Ei), decimal suffix (n, u, m, k, M, G, T, P, E) or exponent (e3, E-2).
"""

import re
from decimal import Decimal

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$"
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


def parse_quantity(value: object) -> Decimal:
    """The value of a quantity in base units (cores, bytes, devices). Raises ValueError if it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a Kubernetes quantity")
    text = str(value) if isinstance(value, str) else repr(value)
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError(f"{value!r} is not a Kubernetes quantity")
    number = Decimal(match["number"])
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    if suffix:
        return number * Decimal(10) ** int(suffix[1:])
    return number


def canonical(value: str | int | float) -> str:
    """The form to put in a manifest: always a string (the API takes numbers too, the kubernetes client
    does not); whole floats lose their ".0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
