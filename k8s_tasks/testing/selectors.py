"""Label selectors (equality and set-based) and field selectors, parsed once into plain predicates."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import BadRequest

Predicate = Callable[[dict[str, Any]], bool]

_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")
_EQ_RE = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_./-]*)\s*$")
_FIELD_RE = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: frozenset[str] = frozenset()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "=":
            return present and value in self.values
        if self.op == "!=":
            return not present or value not in self.values
        if self.op == "in":
            return present and value in self.values
        if self.op == "notin":
            return not present or value not in self.values
        if self.op == "exists":
            return present
        return not present  # "!"


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    terms: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return [t for t in terms if t.strip()]


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parse ``a=b,c!=d,e in (x,y),f notin (z),g,!h``; a malformed term is a 400 naming it."""
    if not text:
        return []
    requirements = []
    for term in _split_terms(text):
        eq = _EQ_RE.match(term)
        if eq:
            key, op, value = eq.groups()
            requirements.append(Requirement(key, "!=" if op == "!=" else "=", frozenset([value])))
            continue
        st = _SET_RE.match(term)
        if not st:
            raise BadRequest(
                f"unable to parse requirement: {term.strip()!r} in labelSelector {text!r}: "
                "use key=value, key!=value, key in (a,b), key notin (a,b), key or !key"
            )
        negate, key, op, values = st.groups()
        if op:
            if negate:
                raise BadRequest(
                    f"unable to parse requirement: {term.strip()!r}: '!' cannot be used with {op}"
                )
            requirements.append(Requirement(key, op, frozenset(v.strip() for v in values.split(","))))
        else:
            requirements.append(Requirement(key, "!" if negate else "exists"))
    return requirements


def labels_match(requirements: Sequence[Requirement], obj: dict[str, Any]) -> bool:
    if not requirements:
        return True
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(r.matches(labels) for r in requirements)


def selector_from_match(selector: dict[str, Any] | None) -> list[Requirement]:
    """A metav1.LabelSelector (matchLabels + matchExpressions) as requirements."""
    if not selector:
        return []
    reqs = [Requirement(k, "=", frozenset([v])) for k, v in (selector.get("matchLabels") or {}).items()]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expr in selector.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], ops[expr["operator"]], frozenset(expr.get("values") or ())))
    return reqs


def field_value(obj: dict[str, Any], path: str) -> str:
    """The string value of a dotted field path (``status.phase``, ``involvedObject.name``); "" if absent."""
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_field_selector(text: str | None) -> list[tuple[str, bool, str]]:
    """Parse ``metadata.name=x,status.phase!=Failed`` into (path, equal, value) triples."""
    if not text:
        return []
    triples = []
    for term in _split_terms(text):
        match = _FIELD_RE.match(term)
        if not match:
            raise BadRequest(
                f"invalid field selector term {term.strip()!r} in {text!r}: use field=value or field!=value"
            )
        path, op, value = match.groups()
        triples.append((path, op != "!=", value))
    return triples


def fields_match(triples: Sequence[tuple[str, bool, str]], obj: dict[str, Any]) -> bool:
    return all((field_value(obj, path) == value) == equal for path, equal, value in triples)


@dataclass(frozen=True)
class Selector:
    """A parsed label selector plus field selector: ``Selector.parse(...)(obj)`` says whether obj matches."""

    labels: tuple[Requirement, ...] = ()
    fields: tuple[tuple[str, bool, str], ...] = ()

    @classmethod
    def parse(cls, label_selector: str | None, field_selector: str | None) -> "Selector":
        return cls(tuple(parse_label_selector(label_selector)), tuple(parse_field_selector(field_selector)))

    @property
    def empty(self) -> bool:
        return not self.labels and not self.fields

    def __call__(self, obj: dict[str, Any]) -> bool:
        if self.labels and not labels_match(self.labels, obj):
            return False
        return not self.fields or fields_match(self.fields, obj)
