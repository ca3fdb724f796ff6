"""A parser for the subset of SOQL that integrations send.

    SELECT field, Parent.field, COUNT(), FIELDS(ALL|STANDARD|CUSTOM) FROM Object
    [WHERE cond] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]

cond: comparisons (= != <> < <= > >= LIKE IN NOT IN) joined by AND or OR (mixing
them without parentheses is an error, as in SOQL), NOT, parentheses. Literals:
'strings' (backslash escapes), numbers, true/false/null, 2024-01-31,
2024-01-31T10:00:00Z (or +hh:mm, optional .sss), and date constants such as
TODAY, YESTERDAY, LAST_N_DAYS:7. Anything else raises `SoqlError` carrying the
position, which renders as Salesforce's MALFORMED_QUERY message.
"""

from __future__ import annotations

import re

from sandbox.salesforce.soql_ast import (
    Comparison,
    Condition,
    FieldRef,
    Logical,
    Negation,
    OrderItem,
    Query,
    SelectItem,
    SoqlError,
    Token,
    Value,
)


def _words(text: str) -> list[str]:
    return text.split()


KEYWORDS = frozenset(
    _words(
        "SELECT FROM WHERE AND OR NOT LIKE IN ORDER BY ASC DESC NULLS FIRST LAST LIMIT OFFSET "
        "TRUE FALSE NULL INCLUDES EXCLUDES GROUP HAVING WITH FOR USING SCOPE TYPEOF"
    )
)
DATE_CONSTANTS = frozenset(
    _words(
        "TODAY YESTERDAY TOMORROW LAST_WEEK THIS_WEEK NEXT_WEEK LAST_MONTH THIS_MONTH "
        "NEXT_MONTH THIS_YEAR LAST_YEAR NEXT_YEAR"
    )
)
N_DATE_CONSTANTS = frozenset(("LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"))

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:]))
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?::\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),.])
    """,
    re.VERBOSE,
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text[pos]}'", pos)
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "", len(text)))
    return tokens


def _unescape(raw: str, pos: int) -> str:
    out: list[str] = []
    chars = iter(enumerate(raw[1:-1]))
    for offset, char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars, (offset, ""))[1]
        if escaped not in _ESCAPES and escaped not in ("%", "_"):
            raise SoqlError("MALFORMED_QUERY", "Invalid string literal", pos + offset + 1)
        out.append(_ESCAPES.get(escaped, "\\" + escaped))
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def unexpected(self) -> SoqlError:
        shown = self.tok.text if self.tok.kind != "eof" else "<EOF>"
        return SoqlError("MALFORMED_QUERY", f"unexpected token: '{shown}'", self.tok.pos)

    def accept(self, *words: str) -> bool:
        if self.tok.kind == "ident" and self.tok.upper in words:
            self.i += 1
            return True
        return False

    def expect(self, word: str) -> Token:
        if self.tok.kind == "ident" and self.tok.upper == word:
            self.i += 1
            return self.tokens[self.i - 1]
        raise self.unexpected()

    def punct(self, char: str) -> bool:
        if self.tok.kind == "punct" and self.tok.text == char:
            self.i += 1
            return True
        return False

    def name(self) -> Token:
        if self.tok.kind != "ident" or self.tok.upper in KEYWORDS or ":" in self.tok.text:
            raise self.unexpected()
        self.i += 1
        return self.tokens[self.i - 1]

    def field(self) -> FieldRef:
        first = self.name()
        path = [first.text]
        while self.punct("."):
            path.append(self.name().text)
        return FieldRef(tuple(path), first.pos)

    def integer(self) -> int:
        if self.tok.kind != "number" or not self.tok.text.isdigit():
            raise self.unexpected()
        self.i += 1
        return int(self.tokens[self.i - 1].text)

    def query(self) -> Query:
        self.expect("SELECT")
        select = [self.select_item()]
        while self.punct(","):
            select.append(self.select_item())
        self.expect("FROM")
        sobject = self.name()
        where = self.condition() if self.accept("WHERE") else None
        order: list[OrderItem] = []
        if self.accept("ORDER"):
            self.expect("BY")
            order.append(self.order_item())
            while self.punct(","):
                order.append(self.order_item())
        limit = self.integer() if self.accept("LIMIT") else None
        offset = self.integer() if self.accept("OFFSET") else None
        if self.tok.kind != "eof":
            raise self.unexpected()
        return Query(
            self.text, tuple(select), sobject.text, sobject.pos, where, tuple(order), limit, offset
        )

    def select_item(self) -> SelectItem:
        tok = self.tok
        if (
            tok.kind == "ident"
            and tok.upper in ("COUNT", "FIELDS")
            and self.tokens[self.i + 1].text == "("
        ):
            self.i += 2
            if tok.upper == "COUNT":
                if not self.punct(")"):
                    raise self.unexpected()
                return SelectItem("count", pos=tok.pos)
            kind = self.tok.upper
            if kind not in ("ALL", "STANDARD", "CUSTOM"):
                raise self.unexpected()
            self.i += 1
            if not self.punct(")"):
                raise self.unexpected()
            return SelectItem("fields", fields_kind=kind, pos=tok.pos)
        if tok.kind == "punct" and tok.text == "(":
            raise SoqlError(
                "MALFORMED_QUERY",
                "unexpected token: '(' (relationship subqueries are not simulated)",
                tok.pos,
            )
        ref = self.field()
        return SelectItem("field", field=ref, pos=ref.pos)

    def order_item(self) -> OrderItem:
        ref = self.field()
        descending = False
        if self.accept("DESC"):
            descending = True
        else:
            self.accept("ASC")
        nulls_last: bool | None = None
        if self.accept("NULLS"):
            if self.accept("LAST"):
                nulls_last = True
            else:
                self.expect("FIRST")
                nulls_last = False
        return OrderItem(ref, descending, nulls_last)

    def condition(self) -> Condition:
        first = self.unary()
        items = [first]
        joiner: str | None = None
        while self.tok.kind == "ident" and self.tok.upper in ("AND", "OR"):
            if joiner is not None and self.tok.upper != joiner:
                raise self.unexpected()
            joiner = self.tok.upper
            self.i += 1
            items.append(self.unary())
        if joiner is None:
            return first
        return Logical("AND" if joiner == "AND" else "OR", tuple(items))

    def unary(self) -> Condition:
        if self.accept("NOT"):
            return Negation(self.unary())
        if self.punct("("):
            inner = self.condition()
            if not self.punct(")"):
                raise self.unexpected()
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        ref = self.field()
        tok = self.tok
        if tok.kind == "op":
            self.i += 1
            op = "!=" if tok.text == "<>" else tok.text
            return Comparison(ref, op, self.value())
        if self.accept("LIKE"):
            return Comparison(ref, "LIKE", self.value())
        negated = self.accept("NOT")
        if self.accept("IN"):
            if not self.punct("("):
                raise self.unexpected()
            values = [self.value()]
            while self.punct(","):
                values.append(self.value())
            if not self.punct(")"):
                raise self.unexpected()
            return Comparison(ref, "NOT IN" if negated else "IN", tuple(values))
        raise self.unexpected()

    def value(self) -> Value:
        tok = self.tok
        self.i += 1
        if tok.kind == "string":
            return Value("string", _unescape(tok.text, tok.pos), tok.pos)
        if tok.kind == "number":
            number = float(tok.text) if "." in tok.text else int(tok.text)
            return Value("number", number, tok.pos)
        if tok.kind in ("date", "datetime"):
            return Value("date" if tok.kind == "date" else "datetime", tok.text, tok.pos)
        if tok.kind == "ident":
            upper = tok.upper
            if upper in ("TRUE", "FALSE"):
                return Value("boolean", upper == "TRUE", tok.pos)
            if upper == "NULL":
                return Value("null", None, tok.pos)
            name, _, amount = upper.partition(":")
            if (upper in DATE_CONSTANTS and not amount) or (name in N_DATE_CONSTANTS and amount):
                return Value("dateconst", upper, tok.pos)
        self.i -= 1
        raise self.unexpected()


def parse(text: str) -> Query:
    """Parse one SOQL query; SoqlError (MALFORMED_QUERY) on anything we cannot read."""
    return _Parser(text).query()


def render_error(query: str, pos: int, message: str) -> str:
    """Salesforce's error text: the line, a caret, "ERROR at Row:r:Column:c", the message."""
    pos = max(0, min(pos, len(query)))
    row = query.count("\n", 0, pos) + 1
    line_start = query.rfind("\n", 0, pos) + 1
    line_end = query.find("\n", pos)
    line = query[line_start : line_end if line_end >= 0 else len(query)]
    column = pos - line_start + 1
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{message}"
