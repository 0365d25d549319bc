"""resource.Quantity as apimachinery parses and prints it: ParseQuantity's scanner and its three errors,
the value rounded up to a nano, and the canonical form String() gives (``1.5`` -> ``1500m``, ``1.5Gi`` ->
``1536Mi``, a BinarySI value below 1024 in decimal form)."""

import functools
from dataclasses import dataclass
from decimal import ROUND_UP, Context, Decimal, localcontext

SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT = f"quantities must match the regular expression '{SPLIT_RE}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"
DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXP = {v: k for k, v in _DECIMAL.items()}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_BINARY_BY_EXP = {v: k for k, v in _BINARY.items()}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_NANO = Decimal("1e-9")
_MAX = Decimal(2**63 - 1)
_CONTEXT = Context(prec=80)


class QuantityError(ValueError):
    """ParseQuantity's error; its text is upstream's."""


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    format: str

    def __str__(self) -> str:
        return canonical(self)


def _scan(text: str) -> tuple[bool, str, str]:
    """parseQuantityString: (positive, the numeric text, the suffix); QuantityError as upstream."""
    positive, pos, end = True, 0, len(text)
    if text[:1] in ("-", "+"):
        positive, pos = text[0] != "-", 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", ""
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end and text[pos] == ".":
        pos += 1
        while pos < end and text[pos] in _DIGITS:
            pos += 1
    number = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "-+":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(ERR_FORMAT)
    return positive, number, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix, as quantitySuffixer.interpret."""
    if suffix in _DECIMAL:
        return 10, _DECIMAL[suffix], DECIMAL_SI
    if suffix in _BINARY:
        return 2, _BINARY[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        try:
            return 10, int(suffix[1:]), DECIMAL_EXPONENT
        except ValueError:
            pass
    raise QuantityError(ERR_SUFFIX)


@functools.lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Quantity:
    """ParseQuantity. Raises QuantityError with upstream's message."""
    if not text:
        raise QuantityError(ERR_FORMAT)
    positive, number, suffix = _scan(text)
    base, exponent, fmt = _interpret(suffix)
    with localcontext(_CONTEXT):
        digits = number.lstrip("+-") or "0"
        if digits == ".":
            raise QuantityError(ERR_NUMERIC)
        try:
            amount = Decimal(digits if not digits.endswith(".") else digits[:-1] or "0")
        except ArithmeticError:
            raise QuantityError(ERR_NUMERIC) from None
        amount = amount.scaleb(exponent) if base == 10 else amount * (Decimal(2) ** exponent)
        rounded = amount.quantize(_NANO, rounding=ROUND_UP)
        if rounded != amount:
            amount = rounded
        if fmt == BINARY_SI and amount > _MAX:
            amount = _MAX
        if fmt == BINARY_SI and 0 < amount < 1:
            fmt = DECIMAL_SI
        return Quantity(amount if positive else -amount, fmt)


def _decimal_parts(value: Decimal) -> tuple[int, int]:
    """(mantissa, exponent): value == mantissa * 10**exponent, exponent a multiple of 3 and as large as
    possible without losing digits (AsCanonicalBytes)."""
    sign, digits, exponent = value.normalize(_CONTEXT).as_tuple()
    assert isinstance(exponent, int)
    mantissa = int("".join(map(str, digits)) or "0")
    shift = exponent % 3
    mantissa, exponent = mantissa * 10**shift, exponent - shift
    return (-mantissa if sign else mantissa), exponent


def canonical(q: Quantity) -> str:
    """Quantity.String(): the canonical form of the value in its format."""
    value, fmt = q.value, q.format
    if value == 0:
        return "0"
    if fmt == BINARY_SI and (-1024 < value < 1024 or value != value.to_integral_value()):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        mantissa, exponent = int(value), 0
        while mantissa % 1024 == 0 and exponent < 60:
            mantissa, exponent = mantissa // 1024, exponent + 10
        return f"{mantissa}{_BINARY_BY_EXP.get(exponent, '')}"
    mantissa, exponent = _decimal_parts(value)
    if fmt == DECIMAL_EXPONENT or exponent not in _DECIMAL_BY_EXP:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    return f"{mantissa}{_DECIMAL_BY_EXP[exponent]}"


def quantity_of(raw: object) -> Quantity:
    """A JSON value as Quantity.UnmarshalJSON reads it (a string, or a bare number)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise QuantityError(ERR_FORMAT)
    text = raw.strip() if isinstance(raw, str) else (str(raw) if isinstance(raw, int) else repr(raw))
    return parse_quantity(text)
