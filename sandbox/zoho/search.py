"""Search Records: GET /crm/{version}/{module}/search, as Zoho documents it.

One of `criteria`, `email`, `phone` or `word`:

- `criteria`: `(Field:operator:value)` groups joined with `and` / `or`, nested
  in parentheses, at most ten; `equals` and `starts_with` work on every field
  (case-insensitive), a value escapes `(`, `)` and `,` with a backslash;
- `email` / `phone`: any email / phone field of the record equals the value;
- `word`: any text field contains the word.

Answers page like the module list (`page`, `per_page` up to 200) but stop at
2,000 records; nothing found is a 204 with no body; a malformed criteria is
Zoho's 400 INVALID_QUERY.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, Entry, empty_response, json_response
from sandbox.zoho.errors import fail, invalid_data
from sandbox.zoho.records import (
    DISCRETE_LIMIT,
    MAX_PER_PAGE,
    int_param,
    module_of,
    render_entries,
)
from sandbox.zoho.schema import Module

Match = Callable[[Mapping[str, Any]], bool]
MAX_GROUPS = 10
OPERATORS = ("equals", "starts_with")
_TOKEN = re.compile(r"\s*(\(|\)|and\b|or\b|(?:[^()\\]|\\.)+)", re.IGNORECASE)


def _query_error(why: str) -> Exception:
    return fail(400, "INVALID_QUERY", why, {"param_name": "criteria"})


def _condition(text: str, module: Module) -> Match:
    parts = re.split(r"(?<!\\):", text, maxsplit=2)
    if len(parts) != 3:
        raise _query_error("invalid query formed")
    name, operator, raw = (p.strip() for p in parts)
    if name not in {f.name for f in module.fields}:
        raise fail(400, "INVALID_QUERY", "invalid query formed", {"api_name": name})
    if operator not in OPERATORS:
        raise fail(
            400, "INVALID_QUERY", "invalid query formed", {"operator": operator, "api_name": name}
        )
    value = re.sub(r"\\(.)", r"\1", raw).casefold()

    def match(fields: Mapping[str, Any]) -> bool:
        found = fields.get(name)
        if isinstance(found, dict):  # a lookup: match on its name or id
            found = found.get("name") or found.get("id")
        text = "" if found is None else str(found).casefold()
        return text == value if operator == "equals" else text.startswith(value)

    return match


def _joined(joiner: str, left: Match, right: Match) -> Match:
    def both(fields: Mapping[str, Any]) -> bool:
        return left(fields) and right(fields)

    def either(fields: Mapping[str, Any]) -> bool:
        return left(fields) or right(fields)

    return both if joiner == "and" else either


class _Criteria:
    """A small recursive-descent reader of Zoho's criteria syntax."""

    def __init__(self, text: str, module: Module) -> None:
        self.tokens = [t.strip() for t in _TOKEN.findall(text) if t.strip()]
        self.at, self.module, self.groups = 0, module, 0

    def parse(self) -> Match:
        match = self._expression()
        if self.at != len(self.tokens):
            raise _query_error("invalid query formed")
        return match

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise _query_error("invalid query formed")
        self.at += 1
        return token

    def _expression(self) -> Match:
        match = self._group()
        while (joiner := (self._peek() or "").casefold()) in ("and", "or"):
            self.at += 1
            match = _joined(joiner, match, self._group())
        return match

    def _group(self) -> Match:
        if self._take() != "(":
            raise _query_error("invalid query formed")
        if self._peek() == "(":
            inner = self._expression()
        else:
            self.groups += 1
            if self.groups > MAX_GROUPS:
                raise _query_error(f"at most {MAX_GROUPS} criteria are allowed")
            inner = _condition(self._take(), self.module)
        if self._take() != ")":
            raise _query_error("invalid query formed")
        return inner


def _matcher(call: Call, module: Module) -> Match:
    params = call.request.query_params
    given = [name for name in ("criteria", "email", "phone", "word") if params.get(name)]
    if len(given) != 1:
        raise invalid_data(
            "give exactly one of criteria, email, phone or word", {"param_name": "criteria"}
        )
    kind, value = given[0], str(params[given[0]])
    if kind == "criteria":
        return _Criteria(value, module).parse()
    wanted = value.casefold()
    if kind in ("email", "phone"):
        names = [f.name for f in module.fields if f.type == kind]
        return lambda fields: any(str(fields.get(n) or "").casefold() == wanted for n in names)
    if len(wanted) < 2:
        raise invalid_data("the word must have at least 2 characters", {"param_name": "word"})
    text = [f.name for f in module.fields if f.type in ("text", "textarea", "email", "phone")]
    return lambda fields: any(wanted in str(fields.get(n) or "").casefold() for n in text)


async def search_records(call: Call) -> Response:
    module = module_of(call)
    match = _matcher(call, module)
    per_page = min(int_param(call, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    page = int_param(call, "page", 1)
    skipped = (page - 1) * per_page
    if skipped + per_page > DISCRETE_LIMIT and page > 1:
        raise fail(
            400,
            "LIMIT_REACHED",
            "search results are limited to the first 2000 records",
            {"limit": DISCRETE_LIMIT},
        )
    found: Iterator[Entry] = (e for e in call.collection(module.api_name).scan() if match(e.fields))
    chunk = list(islice(found, skipped, skipped + per_page + 1))
    more, chunk = len(chunk) > per_page and skipped + per_page < DISCRETE_LIMIT, chunk[:per_page]
    if not chunk:
        return empty_response(204)
    data = render_entries(call, module, chunk)
    info = {"per_page": per_page, "count": len(data), "page": page, "more_records": more}
    return json_response({"data": data, "info": info})


async def count_records(call: Call) -> Response:
    """GET /crm/{version}/{module}/actions/count: `{"count": N}`, the module's live records
    (those in the recycle bin are not counted)."""
    module = module_of(call)
    return json_response({"count": call.collection(module.api_name).count_matching()})
