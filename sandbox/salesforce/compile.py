"""Turn a parsed SOQL query into something cheap to run over a tenant's data.

Validation mirrors Salesforce (INVALID_TYPE, INVALID_FIELD, INVALID_QUERY_FILTER_OPERATOR)
and the plan exploits the collection model: SystemModstamp/LastModifiedDate bounds
become an index range, so do `Id >=` and `Id <` (sandbox.core.id_window), ORDER BY
Id/CreatedDate and ORDER BY SystemModstamp map to the collection's two native orders,
and `Id = / IN` becomes direct look-ups. Any other ORDER BY sorts the matching records
(memory grows with the result).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sandbox.core import Entry, FieldDef, Order, Tenant
from sandbox.core.clock import now_ms
from sandbox.core.id_window import id_window
from sandbox.salesforce.filters import (
    MODSTAMP,
    TEXTUAL,
    Predicate,
    invalid_field,
    invalid_type,
    like_regex,
    literal_bounds,
    normalizer,
    range_test,
)
from sandbox.salesforce.sfschema import SfObject, schema_of
from sandbox.salesforce.soql_ast import (
    Comparison,
    Condition,
    FieldRef,
    Logical,
    Negation,
    Query,
    SoqlError,
    Value,
)


@dataclass
class Plan:
    kind: Literal["scan", "ids", "sorted"] = "scan"
    order: Order = "index"
    descending: bool = False
    since_ms: int | None = None
    until_ms: int | None = None
    ids: list[str] | None = None
    window: range | None = None  # `Id >= / <` on a collection whose ids keep index order
    sort_keys: list[tuple[Callable[[Entry], Any], bool, bool]] = field(default_factory=list)


@dataclass
class Compiled:
    query: Query
    obj: SfObject
    columns: list[tuple[str, Any, bool]]
    predicate: Predicate | None
    plan: Plan
    count_only: bool


class _Compiler:
    def __init__(self, tenant: Tenant, query: Query) -> None:
        self.tenant = tenant
        self.schema = schema_of(tenant)
        self.query = query
        self.now = datetime.fromtimestamp(now_ms() / 1000, UTC)

    def resolve(self, obj: SfObject, ref: FieldRef) -> tuple[FieldDef, Callable[[Entry], Any]]:
        """Field definition and raw getter for a (possibly dotted) field path."""
        current = obj
        hops: list[tuple[Callable[[Entry], Any], str]] = []
        for hop in ref.path[:-1]:
            rel = current.relationships.get(hop.lower())
            if rel is None:
                raise SoqlError(
                    "INVALID_FIELD",
                    f"Didn't understand relationship '{hop}' in field path. If you are attempting "
                    "to use a custom relationship, be sure to append the '__r' after the custom "
                    "relationship name. Please reference your WSDL or the describe call for the "
                    "appropriate names.",
                    ref.pos,
                )
            fk_getter = current.getter(rel[0])
            current = self.schema[rel[1].lower()]
            hops.append((fk_getter, current.name))
        name = current.canonical(ref.path[-1])
        if name is None:
            raise invalid_field(ref.path[-1], current.name, ref.pos)
        final = current.getter(name)
        if not hops:
            return current.fields[name], final
        tenant = self.tenant

        def through(entry: Entry) -> Any:
            node: Entry | None = entry
            for get_fk, target in hops:
                fk = get_fk(node) if node is not None else None
                node = tenant.collection(target).get(fk) if fk else None
                if node is None:
                    return None
            return final(node) if node is not None else None

        return current.fields[name], through

    def columns(self, obj: SfObject) -> list[tuple[str, Any, bool]]:
        from sandbox.salesforce.render import column_tree

        refs: list[FieldRef] = []
        for item in self.query.select:
            if item.kind == "fields":
                if item.fields_kind in ("ALL", "CUSTOM") and (
                    self.query.limit is None or self.query.limit > 200
                ):
                    raise SoqlError(
                        "MALFORMED_QUERY",
                        "The SOQL FIELDS function must have a LIMIT of at most 200",
                        item.pos,
                    )
                for definition in obj.fields.values():
                    if item.fields_kind == "ALL" or (
                        definition.custom == (item.fields_kind == "CUSTOM")
                    ):
                        refs.append(FieldRef((definition.name,), item.pos))
            elif item.field is not None:
                self.resolve(obj, item.field)
                refs.append(item.field)
        return column_tree(self.tenant, self.schema, obj, refs)

    def condition(self, obj: SfObject, cond: Condition) -> Predicate:
        if isinstance(cond, Logical):
            parts = [self.condition(obj, item) for item in cond.items]
            if cond.op == "AND":
                return lambda e: all(p(e) for p in parts)
            return lambda e: any(p(e) for p in parts)
        if isinstance(cond, Negation):
            inner = self.condition(obj, cond.item)
            return lambda e: not inner(e)
        return self.comparison(obj, cond)

    def comparison(self, obj: SfObject, cmp: Comparison) -> Predicate:
        definition, get = self.resolve(obj, cmp.field)
        kind = definition.type
        if kind == "text" and definition.length > 255:
            raise SoqlError(
                "INVALID_FIELD",
                f"field '{definition.name}' can not be filtered in a query call",
                cmp.field.pos,
            )
        values = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
        converted = [self.literal(definition, v) for v in values]
        op = cmp.op
        if op == "LIKE":
            if kind not in TEXTUAL and kind not in ("id", "reference"):
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    f"invalid operator on field '{definition.name}': LIKE",
                    cmp.field.pos,
                )
            pattern = like_regex(str(converted[0][0]))
            return lambda e: (v := get(e)) is not None and pattern.fullmatch(str(v)) is not None
        norm = normalizer(kind)
        if op in ("IN", "NOT IN"):
            wanted = {low for low, _ in converted}
            if op == "IN":
                return lambda e: norm(get(e)) in wanted
            return lambda e: norm(get(e)) not in wanted
        low, high = converted[0]
        if low is None:
            if op == "=":
                return lambda e: get(e) is None
            if op == "!=":
                return lambda e: get(e) is not None
            return lambda e: False
        return range_test(op, low, high, get, norm)

    def literal(self, definition: FieldDef, value: Value) -> tuple[Any, Any]:
        return literal_bounds(definition, value, self.now)

    def plan(self, obj: SfObject) -> tuple[Plan, Predicate | None]:
        query, plan = self.query, Plan()
        where = query.where
        conjuncts: list[Condition] = []
        if isinstance(where, Logical) and where.op == "AND":
            conjuncts = list(where.items)
        elif where is not None:
            conjuncts = [where]
        residual: list[Condition] = []
        for cond in conjuncts:
            if not (isinstance(cond, Comparison) and self._absorb(obj, cond, plan)):
                residual.append(cond)
        if where is not None:
            self.condition(obj, where)  # validates every part, absorbed ones included
        predicate = None
        if residual:
            parts = [self.condition(obj, c) for c in residual]
            predicate = parts[0] if len(parts) == 1 else (lambda e: all(p(e) for p in parts))
        self._order(obj, plan)
        return plan, predicate

    def _absorb(self, obj: SfObject, cmp: Comparison, plan: Plan) -> bool:
        if len(cmp.field.path) != 1 or (isinstance(cmp.value, tuple) and cmp.op not in ("IN",)):
            return False
        name = obj.canonical(cmp.field.path[0])
        if (
            name in MODSTAMP
            and isinstance(cmp.value, Value)
            and cmp.op in ("=", ">", ">=", "<", "<=")
        ):
            if cmp.value.kind not in ("datetime", "dateconst"):
                return False
            low, high = self.literal(obj.fields[name], cmp.value)
            since, until = {
                "=": (low, high),
                ">": (high, None),
                ">=": (low, None),
                "<": (None, low),
                "<=": (None, high),
            }[cmp.op]
            if since is not None:
                plan.since_ms = since if plan.since_ms is None else max(plan.since_ms, since)
            if until is not None:
                plan.until_ms = until if plan.until_ms is None else min(plan.until_ms, until)
            return True
        if name == "Id" and cmp.op in (">=", "<") and isinstance(cmp.value, Value):
            bound = self.literal(obj.fields["Id"], cmp.value)[0]
            low, high = (bound, None) if cmp.op == ">=" else (None, bound)
            window = id_window(self.tenant.collection(obj.name), low, high, text=True)
            if window is None:
                return False  # ids out of index order: the comparison filters each record
            if plan.window is not None:
                start = max(plan.window.start, window.start)
                window = range(start, max(start, min(plan.window.stop, window.stop)))
            plan.window = window
            return True
        if name == "Id" and cmp.op in ("=", "IN"):
            values = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
            ids = [self.literal(obj.fields["Id"], v)[0] for v in values]
            found = [i for i in ids if i is not None]
            plan.ids = found if plan.ids is None else [i for i in plan.ids if i in found]
            plan.kind = "ids"
            return True
        return False

    def _order(self, obj: SfObject, plan: Plan) -> None:
        items = self.query.order
        names = []
        for item in items:
            definition, get = self.resolve(obj, item.field)
            nulls_last = item.nulls_last if item.nulls_last is not None else item.descending
            plan.sort_keys.append((get, item.descending, nulls_last))
            names.append(definition.name if len(item.field.path) == 1 else "")
        directions = {item.descending for item in items}
        plan.descending = bool(items) and items[0].descending
        simple = len(directions) <= 1
        if not items or (simple and names in (["Id"], ["CreatedDate"], ["CreatedDate", "Id"])):
            plan.order = "index"
        elif simple and names and names[0] in MODSTAMP and names[1:] in ([], ["Id"]):
            plan.order = "modified"
        elif plan.kind != "ids":
            plan.kind = "sorted"


def compile_query(tenant: Tenant, query: Query) -> Compiled:
    """Validate `query` against the tenant's schema; SoqlError as Salesforce would."""
    compiler = _Compiler(tenant, query)
    obj = compiler.schema.get(query.sobject.lower())
    if obj is None:
        raise invalid_type(query.sobject, query.sobject_pos)
    if query.offset is not None and query.offset > 2000:
        raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000", 0)
    count_only = query.is_count
    if count_only and len(query.select) > 1:
        raise SoqlError(
            "MALFORMED_QUERY",
            "COUNT() must be the only element in the SELECT list",
            query.select[0].pos,
        )
    columns = [] if count_only else compiler.columns(obj)
    plan, predicate = compiler.plan(obj)
    return Compiled(query, obj, columns, predicate, plan, count_only)
