"""The `q` query parameter, in both of its dialects.

REST framework version 1 reads query-by-example: `Attr=value;Attr2>value`
conditions joined by `;` (a value with `*` is a wildcard match). Version 2 and
later read row-match expressions: `LastUpdateDate > '2024-01-01T00:00:00+00:00'
and ItemNumber LIKE 'AS%'`, with `= != <> > >= < <=`, LIKE, IN (...),
BETWEEN ... AND ..., IS [NOT] NULL, and/or/not and parentheses. Both compile
to a predicate over a record's attribute values plus a lower bound on its
modification time (from `LastUpdateDate >`/`>=`), so incremental reads scan
only the changed range. A malformed or unknown-attribute `q` raises QError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.oracle.resources import Resource

Getter = Callable[[str], Any]
Predicate = Callable[[Getter], bool]
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op><>|!=|>=|<=|=|>|<)|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<number>-?\d+(?:\.\d+)?))"
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


class QError(ValueError):
    """A q value Oracle would refuse; the message says why."""


@dataclass(frozen=True)
class Bounds:
    """What a condition says about the records it matches, for a cheaper scan: modified
    at or after `since_ms`; id attribute (Resource.id_attr) >= `id_low` and < `id_high`;
    `id_only`: it says nothing else (a count needs no record then)."""

    since_ms: int | None = None
    id_low: Any = None
    id_high: Any = None
    id_only: bool = False

    def both(self, other: Bounds) -> Bounds:
        def tighter(pick: Any, a: Any, b: Any) -> Any:
            return a if b is None else b if a is None else pick(a, b)

        return Bounds(
            tighter(max, self.since_ms, other.since_ms),
            tighter(max, self.id_low, other.id_low),
            tighter(min, self.id_high, other.id_high),
            self.id_only and other.id_only,
        )

    def either(self, other: Bounds) -> Bounds:
        def looser(pick: Any, a: Any, b: Any) -> Any:
            return None if a is None or b is None else pick(a, b)

        return Bounds(
            looser(min, self.since_ms, other.since_ms),
            looser(min, self.id_low, other.id_low),
            looser(max, self.id_high, other.id_high),
        )


NO_BOUNDS = Bounds()


@dataclass(frozen=True)
class Query:
    predicate: Predicate
    since_ms: int | None
    id_low: Any = None
    id_high: Any = None
    id_only: bool = False  # nothing but bounds on the id attribute


def _query(predicate: Predicate, bounds: Bounds) -> Query:
    return Query(predicate, bounds.since_ms, bounds.id_low, bounds.id_high, bounds.id_only)


def ms_of(text: str) -> int:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def typed(kind: str, raw: Any) -> Any:
    """A stored or literal value in the domain q compares in."""
    if raw is None:
        return None
    if kind == "datetime":
        return raw if isinstance(raw, int) else ms_of(str(raw))
    if kind in ("number", "integer"):
        return Decimal(str(raw))
    if kind == "boolean":
        return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "y")
    return str(raw)


def _literal(kind: str, text: str, attr: str) -> Any:
    try:
        return typed(kind, text)
    except (ValueError, InvalidOperation):
        raise QError(f"The value {text} is not valid for the attribute {attr}") from None


def _wildcard(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern).replace(r"\*", ".*").replace("%", ".*")
    return re.compile(f"^{escaped}$", re.DOTALL)


def _condition(resource: Resource, attr: str, op: str, value: Any) -> tuple[Predicate, Bounds]:
    found = resource.index.get(attr)
    if found is None:
        raise QError(f"The attribute {attr} is not valid for the resource {resource.name}")
    kind = found.type
    if op == "LIKE":
        regex = _wildcard(str(value))
        return (lambda get: (v := get(attr)) is not None and bool(regex.match(str(v)))), NO_BOUNDS
    if op in ("IS NULL", "IS NOT NULL"):
        want = op == "IS NULL"
        return (lambda get: (get(attr) is None) == want), NO_BOUNDS
    if op == "IN":
        values = {_literal(kind, v, attr) for v in value}
        return (lambda get: typed(kind, get(attr)) in values), NO_BOUNDS
    if op == "BETWEEN":
        low, high = (_literal(kind, v, attr) for v in value)
        return (
            lambda get: (v := typed(kind, get(attr))) is not None and low <= v <= high
        ), NO_BOUNDS
    literal = _literal(kind, value, attr)
    check = _COMPARE[op]

    def compare(get: Getter) -> bool:
        current = typed(kind, get(attr))
        return current is not None and bool(check(current, literal))

    if attr == "LastUpdateDate" and op in (">", ">=", "="):
        return compare, Bounds(since_ms=int(literal) + (1 if op == ">" else 0))
    if attr == resource.id_attr and op in (">=", "<"):
        low, high = (literal, None) if op == ">=" else (None, literal)
        return compare, Bounds(id_low=low, id_high=high, id_only=True)
    return compare, NO_BOUNDS


def parse_qbe(text: str, resource: Resource) -> Query:
    """Framework version 1: `Attr=value;Attr2>=value` (`*` wildcards)."""
    predicates: list[Predicate] = []
    bounds = Bounds(id_only=True)
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(<>|!=|>=|<=|=|>|<|\s)\s*(.*)$", part)
        if not match:
            raise QError(f"URL request parameter q with value {text} is not valid")
        attr, op, value = match.group(1), match.group(2).strip() or "=", match.group(3).strip()
        value = value[1:-1].replace("''", "'") if value[:1] == "'" and value[-1:] == "'" else value
        predicate, said = _condition(
            resource, attr, "LIKE" if op == "=" and "*" in value else op, value
        )
        predicates.append(predicate)
        bounds = bounds.both(said)
    return _query(lambda get: all(p(get) for p in predicates), bounds)


def parse_expression(text: str, resource: Resource) -> Query:
    """Framework version 2 and later: row-match expressions."""
    tokens = _tokens(text)
    parser = _Expression(tokens, resource)
    predicate, bounds = parser.disjunction()
    if parser.position != len(tokens):
        raise QError(f"URL request parameter q with value {text} is not valid")
    return _query(predicate, bounds)


def _tokens(text: str) -> list[str]:
    found, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QError(f"URL request parameter q with value {text} is not valid")
        found.append(match.group(0).strip())
        position = match.end()
    return found


class _Expression:
    def __init__(self, tokens: list[str], resource: Resource) -> None:
        self.tokens, self.position, self.resource = tokens, 0, resource

    def peek(self) -> str:
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def take(self) -> str:
        token = self.peek()
        if not token:
            raise QError("URL request parameter q ends too early")
        self.position += 1
        return token

    def disjunction(self) -> tuple[Predicate, Bounds]:
        left, bounds = self.conjunction()
        while self.peek().lower() == "or":
            self.take()
            right, other = self.conjunction()
            left = (lambda a, b: lambda get: a(get) or b(get))(left, right)
            bounds = bounds.either(other)
        return left, bounds

    def conjunction(self) -> tuple[Predicate, Bounds]:
        left, bounds = self.negation()
        while self.peek().lower() == "and":
            self.take()
            right, other = self.negation()
            left = (lambda a, b: lambda get: a(get) and b(get))(left, right)
            bounds = bounds.both(other)
        return left, bounds

    def negation(self) -> tuple[Predicate, Bounds]:
        if self.peek().lower() == "not":
            self.take()
            inner, _bounds = self.negation()
            return (lambda get: not inner(get)), NO_BOUNDS
        if self.peek() == "(":
            self.take()
            found = self.disjunction()
            if self.take() != ")":
                raise QError("URL request parameter q has an unbalanced parenthesis")
            return found
        return self.condition()

    def value(self) -> str:
        token = self.take()
        return token[1:-1].replace("''", "'") if token.startswith("'") else token

    def condition(self) -> tuple[Predicate, Bounds]:
        attr = self.take()
        op = self.take()
        word = op.upper()
        if word == "LIKE":
            return _condition(self.resource, attr, "LIKE", self.value())
        if word == "IS":
            negated = self.peek().upper() == "NOT" and bool(self.take())
            if self.take().upper() != "NULL":
                raise QError("IS must be followed by NULL or NOT NULL")
            return _condition(self.resource, attr, "IS NOT NULL" if negated else "IS NULL", None)
        if word == "IN":
            if self.take() != "(":
                raise QError("IN needs a parenthesized list")
            values = [self.value()]
            while self.peek() == ",":
                self.take()
                values.append(self.value())
            self.take()
            return _condition(self.resource, attr, "IN", values)
        if word == "BETWEEN":
            low = self.value()
            if self.take().upper() != "AND":
                raise QError("BETWEEN needs AND")
            return _condition(self.resource, attr, "BETWEEN", [low, self.value()])
        if op not in _COMPARE:
            raise QError(f"The operator {op} is not supported in q")
        return _condition(self.resource, attr, op, self.value())
