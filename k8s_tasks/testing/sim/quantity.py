"""Kubernetes resource quantities ("500m", "64Mi", "1.5G", "2") as exact numbers."""

import functools
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal(10**3)}
_DECIMAL.update({"M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12), "P": Decimal(10**15)})
_DECIMAL["E"] = Decimal(10**18)


def parse_quantity(value: str | int | float) -> Decimal:
    """The value of a quantity in base units (cores, bytes, devices). Raises ValueError naming the value."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return _parse_cached(value)
    return _parse(value)


def _parse(value: str | int | float) -> Decimal:
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip()
    number, multiplier = text, Decimal(1)
    for suffix, factor in _BINARY.items():
        if text.endswith(suffix):
            number, multiplier = text[: -len(suffix)], Decimal(factor)
            break
    else:
        if text and text[-1] in _DECIMAL:
            number, multiplier = text[:-1], _DECIMAL[text[-1]]
    try:
        parsed = Decimal(number)
    except InvalidOperation:
        raise ValueError(
            f"invalid resource quantity {value!r}: expected a number with an optional suffix "
            f"such as 500m, 2, 64Mi or 1G"
        ) from None
    if not parsed.is_finite():
        raise ValueError(f"invalid resource quantity {value!r}: must be a finite number")
    return parsed * multiplier


# the same few quantities over and over (Decimals are immutable); 1 and 1.0 share an entry: equal values
_parse_cached = functools.lru_cache(maxsize=4096)(_parse)


def parse_resources(resources: dict[str, str | int | float] | None) -> dict[str, Decimal]:
    """A ``{name: quantity}`` map (requests, limits, allocatable) parsed to numbers."""
    return {name: parse_quantity(q) for name, q in (resources or {}).items()}
