"""OData V2 `$filter` for the SAP simulator: parse, type-check, compile.

The grammar is OData V2's (eq ne gt ge lt le, and or not, parentheses,
substringof/startswith/endswith/tolower/toupper/trim/length, typed literals
datetime'..', datetimeoffset'..', time'PT..', guid'..', numbers with M/L/d
suffixes, strings with doubled quotes). Unknown properties, type mismatches
and syntax errors raise `FilterError`, which the vendor answers with SAP's 400.

Comparisons of the modification timestamps (LastChangeDateTime, LastChangeDate)
also yield a lower bound on the record's modification time, so an incremental
filter scans only the changed range of a collection instead of all of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.sap.edm import EntitySet, ms_of_date, seconds_of

Getter = Callable[[str], Any]
Fn = Callable[[Getter], Any]
DAY_MS = 86_400_000
MODIFIED = {"LastChangeDateTime": "exact", "LastChangeDate": "day"}
_TYPE_OF_EDM = {
    "Edm.String": "string",
    "Edm.Guid": "string",
    "Edm.Decimal": "number",
    "Edm.Int32": "number",
    "Edm.Boolean": "bool",
    "Edm.DateTime": "datetime",
    "Edm.DateTimeOffset": "datetimeoffset",
    "Edm.Time": "time",
}
_TOKEN = re.compile(
    r"\s*(?:(?P<typed>(?:datetimeoffset|datetime|time|guid)'[^']*')"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<punct>[(),]))"
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}
_FUNCTIONS: dict[str, tuple[tuple[str, ...], str, Callable[..., Any]]] = {
    "substringof": (("string", "string"), "bool", lambda a, b: a in b),
    "startswith": (("string", "string"), "bool", lambda a, b: a.startswith(b)),
    "endswith": (("string", "string"), "bool", lambda a, b: a.endswith(b)),
    "tolower": (("string",), "string", str.lower),
    "toupper": (("string",), "string", str.upper),
    "trim": (("string",), "string", str.strip),
    "length": (("string",), "number", lambda a: Decimal(len(a))),
}


class FilterError(ValueError):
    """A $filter SAP would refuse; the message is SAP's kind of explanation."""


@dataclass(frozen=True)
class Node:
    fn: Fn
    type: str
    since_ms: int | None = None  # records matching are modified at or after this
    prop: str | None = None
    literal: Any = None
    key_low: str | None = None  # records matching have a key >= this
    key_high: str | None = None  # ... and < this


@dataclass(frozen=True)
class Compiled:
    predicate: Fn
    since_ms: int | None
    key_low: str | None = None  # bounds on the single key, for an index window
    key_high: str | None = None


def compile_filter(text: str, entity_set: EntitySet) -> Compiled:
    parser = _Parser(_tokens(text), entity_set)
    node = parser.expression()
    if parser.peek() is not None:
        raise FilterError(f"Invalid filter expression: unexpected '{parser.peek()}'")
    if node.type != "bool":
        raise FilterError("Invalid filter expression: the expression is not a condition")
    return Compiled(node.fn, node.since_ms, node.key_low, node.key_high)


def _tokens(text: str) -> list[str]:
    found: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise FilterError(f"Invalid filter expression: '{text[position : position + 20]}'")
        found.append(match.group(0).strip())
        position = match.end()
    return found


class _Parser:
    def __init__(self, tokens: list[str], entity_set: EntitySet) -> None:
        self.tokens = tokens
        self.position = 0
        self.entity_set = entity_set

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise FilterError(f"Invalid filter expression: expected '{expected or 'operand'}'")
        self.position += 1
        return token

    def expression(self) -> Node:
        node = self.conjunction()
        while self.peek() == "or":
            self.take()
            right = self.conjunction()
            node = _logical(node, right, any_of=True)
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.peek() == "and":
            self.take()
            node = _logical(node, self.negation(), any_of=False)
        return node

    def negation(self) -> Node:
        if self.peek() == "not":
            self.take()
            inner = self.negation()
            _expect_bool(inner)
            return Node(lambda get: not inner.fn(get), "bool")
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        op = self.peek()
        if op not in _COMPARE:
            return left
        self.take()
        right = self.operand()
        node = _compare(op, left, right)
        keys = self.entity_set.keys
        if len(keys) == 1 and left.prop == keys[0] and isinstance(right.literal, str):
            if op == "ge":
                return replace(node, key_low=right.literal)
            if op == "lt":
                return replace(node, key_high=right.literal)
        return node

    def operand(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.expression()
            self.take(")")
            return node
        if self.peek() == "(" and token in _FUNCTIONS:
            return self.function(token)
        return _literal(token) or self.property(token)

    def function(self, name: str) -> Node:
        wanted, result, impl = _FUNCTIONS[name]
        self.take("(")
        args = [self.expression()]
        while self.peek() == ",":
            self.take()
            args.append(self.expression())
        self.take(")")
        if len(args) != len(wanted) or any(
            a.type not in (w, "null") for a, w in zip(args, wanted, strict=False)
        ):
            raise FilterError(f"Invalid parameter types used at function '{name}'")
        fns = [a.fn for a in args]

        def call(get: Getter) -> Any:
            values = [fn(get) for fn in fns]
            return None if any(v is None for v in values) else impl(*values)

        return Node(call, result)

    def property(self, token: str) -> Node:
        if "/" in token:
            raise FilterError(f"Navigation paths are not supported in $filter: '{token}'")
        prop = self.entity_set.prop_index.get(token)
        if prop is None:
            raise FilterError(f"Property {token} not found in type {self.entity_set.type_name}")
        return Node(lambda get: get(token), _TYPE_OF_EDM.get(prop.edm, "string"), prop=token)


def _expect_bool(node: Node) -> None:
    if node.type != "bool":
        raise FilterError("Invalid filter expression: 'and', 'or' and 'not' need conditions")


def _logical(left: Node, right: Node, *, any_of: bool) -> Node:
    _expect_bool(left)
    _expect_bool(right)
    a, b = left.fn, right.fn
    if any_of:
        both = (
            None
            if left.since_ms is None or right.since_ms is None
            else min(left.since_ms, right.since_ms)
        )
        low = _either(min, left.key_low, right.key_low)
        high = _either(max, left.key_high, right.key_high)
        return Node(lambda get: bool(a(get) or b(get)), "bool", both, key_low=low, key_high=high)
    bounds = [x for x in (left.since_ms, right.since_ms) if x is not None]
    return Node(
        lambda get: bool(a(get) and b(get)),
        "bool",
        max(bounds) if bounds else None,
        key_low=_tightest(max, left.key_low, right.key_low),
        key_high=_tightest(min, left.key_high, right.key_high),
    )


def _either(pick: Callable[..., Any], a: str | None, b: str | None) -> str | None:
    """A bound both sides of an `or` share (the looser), or none."""
    return None if a is None or b is None else pick(a, b)


def _tightest(pick: Callable[..., Any], a: str | None, b: str | None) -> str | None:
    """The bound an `and` of both sides has (the tighter of those given)."""
    given = [x for x in (a, b) if x is not None]
    return pick(given) if given else None


def _compare(op: str, left: Node, right: Node) -> Node:
    types = {left.type, right.type} - {"null"}
    if len(types) > 1:
        raise FilterError(
            f"Operator '{op}' incompatible with operand types '{left.type}' and '{right.type}'"
        )
    if "null" in (left.type, right.type) and op not in ("eq", "ne"):
        raise FilterError(f"Operator '{op}' cannot compare with null")
    check, lf, rf = _COMPARE[op], left.fn, right.fn

    def compare(get: Getter) -> bool:
        a, b = lf(get), rf(get)
        if a is None or b is None:
            return (a is None and b is None) == (op == "eq") if op in ("eq", "ne") else False
        return bool(check(a, b))

    return Node(compare, "bool", _since(op, left, right))


def _since(op: str, left: Node, right: Node) -> int | None:
    kind = MODIFIED.get(left.prop or "")
    if kind is None or right.prop is not None or not isinstance(right.literal, int):
        return None
    step = 1 if kind == "exact" else DAY_MS
    if op in ("ge", "eq"):
        return int(right.literal)
    if op == "gt":
        return int(right.literal) + step
    return None


def _literal(token: str) -> Node | None:
    if token in ("true", "false"):
        value = token == "true"
        return Node(lambda get: value, "bool", literal=value)
    if token == "null":
        return Node(lambda get: None, "null")
    if token.startswith("'"):
        text = token[1:-1].replace("''", "'")
        return Node(lambda get: text, "string", literal=text)
    prefix, _, rest = token.partition("'")
    if rest:
        return _typed(prefix, rest[:-1])
    if token[0].isdigit() or token[0] == "-":
        try:
            number = Decimal(token.rstrip("mMdDfFlL"))
        except InvalidOperation:
            raise FilterError(f"Invalid number literal '{token}'") from None
        return Node(lambda get: number, "number", literal=number)
    return None


def _typed(prefix: str, text: str) -> Node:
    try:
        if prefix == "datetime":
            ms = ms_of_date(text) if len(text) <= 10 else _ms(text, naive_utc=True)
            return Node(lambda get: ms, "datetime", literal=ms)
        if prefix == "datetimeoffset":
            ms = _ms(text, naive_utc=False)
            return Node(lambda get: ms, "datetimeoffset", literal=ms)
        if prefix == "time":
            seconds = seconds_of(text)
            return Node(lambda get: seconds, "time", literal=seconds)
    except ValueError:
        raise FilterError(f"Invalid {prefix} literal '{prefix}'{text}''") from None
    return Node(lambda get: text.upper(), "string", literal=text.upper())


def _ms(text: str, *, naive_utc: bool) -> int:
    from datetime import UTC, datetime

    normalized = text.replace("Z", "+00:00")
    if "." in normalized:  # Python takes at most 6 fractional digits; SAP sends 7
        head, _, tail = normalized.partition(".")
        digits = tail[: len(tail) - len(tail.lstrip("0123456789"))]
        normalized = head + "." + digits[:6].ljust(6, "0") + tail[len(digits) :]
    moment = datetime.fromisoformat(normalized)
    if moment.tzinfo is None:
        if not naive_utc:
            raise ValueError("datetimeoffset needs an offset")
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
