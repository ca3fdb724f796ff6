"""Odoo domains: parse (with Odoo's own errors), compile to a predicate, find scan bounds.

A domain is a list in prefix notation: `["|", ("a", "=", 1), "!", ("b", "in", [2])]`,
with `&` implied between consecutive terms. Parsing mirrors odoo/osv/expression.py:
`normalize` makes the `&` explicit and refuses dangling operators ("Domain ... is
syntactically not correct."), a term must be a 3-item list with a known operator
("Invalid leaf ..."), its field path must exist ("Invalid field res.partner.foo in
leaf ..."). SQL semantics are kept where clients notice them: `!=`, `not in`,
`not like` and `not ilike` match empty values; `like`/`ilike` wrap the value in
`%...%`, `=like`/`=ilike` take it as the pattern; `x = False` means "x is not set";
a many2one compared with text matches the target's display name. `child_of`,
`parent_of`, `any` and `not any` are supported on many2one/one2many paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.odoo.errors import OdooError, server_error
from sandbox.odoo.hierarchy import hierarchy
from sandbox.odoo.meta import ModelMeta
from sandbox.odoo.values import coerce_operand, like_matcher

TERM_OPERATORS = frozenset(
    {"=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike"}
    | {"not ilike", "in", "not in", "child_of", "parent_of", "any", "not any"}
)
TRUE_LEAF, FALSE_LEAF = (1, "=", 1), (0, "=", 1)
NEGATIVE = frozenset(("!=", "not like", "not ilike", "not in", "not any"))

Predicate = Callable[[Any], bool]


class Resolver(Protocol):
    """What evaluation needs from the database: values in comparable form
    (many2one as an int id, one2many as a list of ids, datetimes as epoch ms)."""

    def value(self, model: str, record: Any, field: str) -> Any: ...

    def record(self, model: str, record_id: int) -> Any | None: ...

    def display(self, model: str, record: Any) -> str: ...

    def children(self, model: str, field: str, record: Any) -> list[Any]: ...


@dataclass(frozen=True)
class Term:
    path: tuple[str, ...]
    operator: str
    value: Any


@dataclass(frozen=True)
class Node:
    operator: str  # "&", "|", "!", or "1"/"0" for the constant leaves
    children: tuple[Node | Term, ...] = ()


Tree = Node | Term


def normalize(domain: Any) -> list[Any]:
    """The domain with every implicit `&` made explicit."""
    if not isinstance(domain, list | tuple):
        raise server_error(
            "Domains to normalize must have a 'domain' form: a list or tuple of domain components",
            "builtins.AssertionError",
        )
    if not domain:
        return [TRUE_LEAF]
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, list | tuple):
            expected -= 1
            token = tuple(token)
        elif isinstance(token, str) and token in ("&", "|", "!"):
            expected += {"&": 1, "|": 1, "!": 0}[token]
        else:
            raise server_error(f"Invalid leaf {token!r}")
        result.append(token)
    if expected:
        raise server_error(f"Domain {list(domain)} is syntactically not correct.")
    return result


def parse(domain: Any, meta: ModelMeta, models: dict[str, ModelMeta]) -> Tree:
    """Validate a domain against a model and build its tree (OdooError when refused)."""
    tokens = normalize(domain)
    stack: list[Tree] = []
    for token in reversed(tokens):
        if token == "!":
            stack.append(Node("!", (stack.pop(),)))
        elif token in ("&", "|"):
            first, second = stack.pop(), stack.pop()
            stack.append(Node(token, (first, second)))
        else:
            stack.append(_leaf(token, meta, models))
    return stack[0]


def _leaf(token: tuple[Any, ...], meta: ModelMeta, models: dict[str, ModelMeta]) -> Tree:
    if token in (TRUE_LEAF, FALSE_LEAF):
        return Node("1" if token == TRUE_LEAF else "0")
    if len(token) != 3 or not isinstance(token[0], str) or not token[0]:
        raise server_error(f"Invalid leaf {token!r}")
    left, operator, right = token
    if not isinstance(operator, str):
        raise server_error(f"Invalid leaf {token!r}")
    operator = "!=" if operator.lower() == "<>" else operator.lower()
    if operator not in TERM_OPERATORS:
        raise server_error(f"Invalid leaf {token!r}")
    path = tuple(left.split("."))
    current = meta
    for position, name in enumerate(path):
        field = current.fields.get(name)
        if field is None:
            raise server_error(f"Invalid field {current.name}.{name} in leaf {token!r}")
        if position < len(path) - 1:
            if field.relation is None or field.relation not in models:
                raise server_error(f"Invalid field {current.name}.{name} in leaf {token!r}")
            current = models[field.relation]
    if operator in ("any", "not any"):
        last = current.fields[path[-1]]
        if last.relation is None or last.relation not in models:
            raise server_error(f"Invalid leaf {token!r}: {operator} needs a relational field")
        right = parse(right, models[last.relation], models)
    if isinstance(right, bool) and operator in ("in", "not in"):
        operator = "=" if operator == "in" else "!="
    if isinstance(right, list | tuple) and operator in ("=", "!="):
        operator = "in" if operator == "=" else "not in"
    return Term(path, operator, right)


def compile_tree(
    tree: Tree, meta: ModelMeta, models: dict[str, ModelMeta], db: Resolver
) -> Predicate:
    """A predicate over records of `meta`'s model."""
    if isinstance(tree, Node):
        if tree.operator in ("1", "0"):
            constant = tree.operator == "1"
            return lambda _record: constant
        parts = [compile_tree(child, meta, models, db) for child in tree.children]
        if tree.operator == "!":
            inner = parts[0]
            return lambda record: not inner(record)
        first, second = parts
        if tree.operator == "&":
            return lambda record: first(record) and second(record)
        return lambda record: first(record) or second(record)
    return _term(tree, meta, models, db)


def _term(term: Term, meta: ModelMeta, models: dict[str, ModelMeta], db: Resolver) -> Predicate:
    name, rest = term.path[0], term.path[1:]
    field = meta.fields[name]
    model = meta.name
    if rest:  # partner_id.country_id.code = 'BE': the condition holds on the target
        assert field.relation is not None
        sub = _term(Term(rest, term.operator, term.value), models[field.relation], models, db)
        return _through(model, name, field.type, field.relation, sub, db, term.operator)
    if term.operator in ("any", "not any"):
        assert field.relation is not None and isinstance(term.value, Node | Term)
        sub = compile_tree(term.value, models[field.relation], models, db)
        matched = _through(model, name, field.type, field.relation, sub, db, "any")
        return matched if term.operator == "any" else (lambda record: not matched(record))
    if term.operator in ("child_of", "parent_of"):
        return hierarchy(term.operator, term.value, model, field.relation or model, name, db)
    check = _comparison(term.operator, term.value, field.type, field.relation, db)
    return lambda record: check(db.value(model, record, name))


def _through(
    model: str, name: str, kind: str, target: str, sub: Predicate, db: Resolver, operator: str
) -> Predicate:
    negative = operator in NEGATIVE

    def matches(record: Any) -> bool:
        value = db.value(model, record, name)
        if kind == "one2many":
            targets = db.children(model, name, record)
        else:
            found = db.record(target, value) if value else None
            targets = [found] if found is not None else []
        if not targets:
            return negative
        hits = [sub(item) for item in targets]
        return all(hits) if negative else any(hits)

    return matches


def _comparison(
    operator: str, operand: Any, kind: str, relation: str | None, db: Resolver
) -> Callable[[Any], bool]:
    if operator == "=?":
        if operand is None or operand is False:
            return lambda _value: True
        operator = "="
    if kind == "many2one" and relation and isinstance(operand, str) and operator != "=like":
        names = _name_matcher(operator, operand)
        return lambda value: names(
            db.display(relation, db.record(relation, value)) if value else None
        )
    if kind in ("one2many", "many2many"):
        wanted = set(operand if isinstance(operand, list | tuple) else [operand])
        if operator in ("=", "in"):
            return lambda value: bool(set(value or ()) & wanted) if wanted != {False} else not value
        return lambda value: not (set(value or ()) & wanted)
    if operator in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        return _name_matcher(operator, operand)
    if operator in ("in", "not in"):
        items = operand if isinstance(operand, list | tuple) else [operand]
        with_null = any(item is False or item is None for item in items)
        values = {coerce_operand(kind, item) for item in items if item not in (False, None)}
        if operator == "in":
            return lambda value: (value in values) if not _null(value) else with_null
        return lambda value: (value not in values) if not _null(value) else not with_null
    if operand is False or operand is None:
        if operator == "=":
            return _null
        if operator == "!=":
            return lambda value: not _null(value)
        return lambda _value: False
    right = coerce_operand(kind, operand)
    compare = _ORDERING[operator]
    if operator == "!=":
        return lambda value: _null(value) or value != right
    return lambda value: not _null(value) and compare(value, right)


_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _null(value: Any) -> bool:
    return value is None or value is False


def _name_matcher(operator: str, operand: Any) -> Callable[[Any], bool]:
    if operator in ("=", "!=", "in", "not in") and not isinstance(operand, list | tuple):
        text = str(operand)
        equal: Callable[[Any], bool] = lambda value: value == text  # noqa: E731
        return equal if operator in ("=", "in") else (lambda value: _null(value) or value != text)
    if operator in ("in", "not in"):
        texts = {str(item) for item in operand}
        return (lambda v: v in texts) if operator == "in" else (lambda v: v not in texts)
    match = like_matcher(operator, operand)
    if operator.startswith("not"):
        return lambda value: _null(value) or not match(str(value))
    return lambda value: not _null(value) and match(str(value))


def mentions(tree: Tree, field: str) -> bool:
    """Whether any term of the domain starts with `field` (Odoo's active_test rule)."""
    if isinstance(tree, Term):
        return tree.path[0] == field
    return any(mentions(child, field) for child in tree.children)


def conjuncts(tree: Tree) -> Sequence[Tree]:
    """The top-level AND parts, so a search can turn some of them into scan bounds."""
    if isinstance(tree, Node) and tree.operator == "&":
        return [part for child in tree.children for part in conjuncts(child)]
    return [tree]


__all__ = ["Node", "OdooError", "Resolver", "Term", "Tree", "compile_tree", "normalize", "parse"]
