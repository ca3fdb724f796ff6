"""OData V2 key predicates: `A_Product('TG000001')` and
`A_SalesOrderItem(SalesOrder='5000001',SalesOrderItem='10')`, both ways.

Every key of the simulated services is an Edm.String, so a key value is a
single-quoted literal with quotes doubled. A key segment arrives URL-decoded
(pyodata quotes the whole segment; Starlette decodes it before routing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sandbox.sap.edm import EntitySet

KEYED_SEGMENT = r"[A-Za-z_][A-Za-z0-9_]*\(.*\)"
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$", re.DOTALL)


class KeyError_(ValueError):
    """A key predicate that does not fit the entity set; the text says why."""


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def predicate(entity_set: EntitySet, values: Mapping[str, str]) -> str:
    """`('x')` for a single key, `(A='x',B='y')` for a composite one."""
    if len(entity_set.keys) == 1:
        return f"({literal(values[entity_set.keys[0]])})"
    return "(" + ",".join(f"{k}={literal(values[k])}" for k in entity_set.keys) + ")"


def split_segment(segment: str) -> tuple[str, str]:
    """("A_Product", "'TG000001'") from "A_Product('TG000001')"."""
    match = _SEGMENT.match(segment)
    if not match:
        raise KeyError_(f"Invalid key predicate in segment '{segment}'")
    return match.group(1), match.group(2)


def _read_literal(text: str, position: int) -> tuple[str, int]:
    if position >= len(text) or text[position] != "'":
        raise KeyError_("key values must be quoted strings, e.g. ('TG000001')")
    out: list[str] = []
    position += 1
    while position < len(text):
        char = text[position]
        if char == "'":
            if position + 1 < len(text) and text[position + 1] == "'":
                out.append("'")
                position += 2
                continue
            return "".join(out), position + 1
        out.append(char)
        position += 1
    raise KeyError_("unterminated string literal in key predicate")


def parse_predicate(entity_set: EntitySet, inner: str) -> dict[str, str]:
    """Key values by property from the text between the parentheses."""
    text = inner.strip()
    if len(entity_set.keys) == 1 and text.startswith("'"):
        value, end = _read_literal(text, 0)
        if text[end:].strip():
            raise KeyError_(f"Invalid key predicate '({inner})'")
        return {entity_set.keys[0]: value}
    values: dict[str, str] = {}
    position = 0
    while position < len(text):
        name_end = text.find("=", position)
        if name_end < 0:
            raise KeyError_(f"Invalid key predicate '({inner})'")
        name = text[position:name_end].strip()
        value, position = _read_literal(text, name_end + 1)
        values[name] = value
        rest = text[position:].lstrip()
        if rest.startswith(","):
            position = len(text) - len(rest) + 1
        elif rest:
            raise KeyError_(f"Invalid key predicate '({inner})'")
        else:
            break
    if set(values) != set(entity_set.keys):
        expected = ", ".join(entity_set.keys)
        raise KeyError_(f"the key of {entity_set.name} is ({expected}); got ({', '.join(values)})")
    return values
