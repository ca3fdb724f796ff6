"""Declarative field maps: vendor fields to a canonical entity and back.

A map is a list of rules, one per canonical field, each naming the vendor
field by a dotted path and a converter:

    CONTACT = FieldMap(Entity.CONTACT, (
        Rule("first_name", "properties.firstname"),
        Rule("last_name", "properties.lastname"),
        Rule("email", "properties.email"),
        Rule("account_external_id", "associations.companies.results.0.id", REF, writable=False),
    ))
    data = CONTACT.with_overrides(connection.field_overrides).to_canonical(raw, external_id="51")

Per-connection overrides (core.models.FieldOverride) rename a standard field's
vendor source or add `custom.<name>` fields, each for pull, push or both;
mapped custom fields travel in the canonical `custom` dict both ways. Line
items (orders, quotes) are a nested map over a list in the vendor record.
`to_canonical` validates with core.entities and raises RecordError whose text
a user can act on.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Annotated, Any, get_args, get_origin

from pydantic import ValidationError

from adapters import convert
from adapters.convert import ConversionError, Converter
from adapters.paths import MISSING, dig, digger, put
from core.entities import CANONICAL_MODELS, canonical_fields, validate_canonical
from core.errors import InvalidInputError, RecordError
from core.models import Direction, Entity, FieldOverride

_PULL = (Direction.BOTH, Direction.PULL)
_PUSH = (Direction.BOTH, Direction.PUSH)
CUSTOM = "custom."


@dataclass(frozen=True)
class Rule:
    canonical: str  # "email", or "custom.<name>" for a mapped custom field
    vendor: str  # dotted path in the vendor record ("Email", "properties.email", "Account.Name")
    convert: Converter = convert.TEXT
    writable: bool = True
    direction: Direction = Direction.BOTH
    updatable: bool = True  # False: set when the vendor record is made, fixed after (create-only)

    @property
    def custom_name(self) -> str | None:
        return self.canonical.removeprefix(CUSTOM) if self.canonical.startswith(CUSTOM) else None


@dataclass(frozen=True)
class Lines:
    """Line items: `vendor` is the path of the list in the vendor record."""

    vendor: str
    rules: tuple[Rule, ...]
    writable: bool = False


@dataclass(frozen=True)
class FieldMap:
    entity: Entity
    rules: tuple[Rule, ...]
    lines: Lines | None = None
    # Only some fields (`selecting`): records come back unvalidated, since a part of a
    # record lacks its required fields; whoever merges the part validates the whole.
    partial: bool = False

    def vendor_paths(self, direction: Direction = Direction.PULL) -> list[str]:
        """Vendor paths the map reads (PULL) or writes (PUSH): for `fields=`/`$select`/SOQL."""
        wanted = _PULL if direction is Direction.PULL else _PUSH
        return list(dict.fromkeys(r.vendor for r in self.rules if r.direction in wanted))

    def rule_for(self, canonical: str, direction: Direction = Direction.PULL) -> Rule | None:
        wanted = _PULL if direction is Direction.PULL else _PUSH
        return next(
            (r for r in self.rules if r.canonical == canonical and r.direction in wanted), None
        )

    def selecting(self, fields: Iterable[str]) -> FieldMap:
        """The pull rules of `fields` alone (canonical names, `custom.<name>` included): a
        read asks the vendor for those fields only (a mapping change's backfill)."""
        wanted = set(fields)
        rules = tuple(r for r in self.rules if r.canonical in wanted and r.direction in _PULL)
        return replace(self, rules=rules, lines=None, partial=True)

    # --- overrides ------------------------------------------------------------------------------

    def with_overrides(self, overrides: Iterable[FieldOverride]) -> FieldMap:
        rules = list(self.rules)
        standard = set(canonical_fields(self.entity)) - {"lines"}
        for override in overrides:
            if override.entity is not self.entity:
                continue
            name = override.canonical_field
            if name.startswith(CUSTOM):
                custom = name.removeprefix(CUSTOM)
                if not custom or "." in custom:
                    raise InvalidInputError(
                        f"'{name}' is not a custom field name: use custom.<name> without dots",
                        field="canonical_field",
                    )
                base = Rule(name, override.vendor_field, convert.RAW)
            elif name in standard:
                current = next((r for r in rules if r.canonical == name), None)
                base = current or Rule(
                    name, override.vendor_field, default_converter(self.entity, name)
                )
            else:
                raise InvalidInputError(
                    f"{self.entity.value} has no field '{name}'; map to one of "
                    f"{', '.join(sorted(standard))}, or to custom.<name>",
                    field="canonical_field",
                )
            rules = [kept for r in rules for kept in _without(r, name, override.direction)]
            rules.append(replace(base, vendor=override.vendor_field, direction=override.direction))
        return replace(self, rules=tuple(rules))

    # --- vendor -> canonical -------------------------------------------------------------------

    def to_canonical(self, record: Mapping[str, Any], *, external_id: str | None) -> dict[str, Any]:
        """Map and validate one vendor record; RecordError names what is wrong."""
        data = self._read(self.rules, record, external_id)
        if self.lines is not None:
            items = dig(record, self.lines.vendor) or []
            if not isinstance(items, list):
                raise self._error(
                    external_id, f"lines (vendor field {self.lines.vendor}) is not a list"
                )
            data["lines"] = [self._read(self.lines.rules, item, external_id) for item in items]
        if self.partial:
            return data
        try:
            return validate_canonical(self.entity, data)
        except ValidationError as exc:
            raise self._error(external_id, self._explain(exc)) from None

    @cached_property
    def _pull_rules(self) -> tuple[_PullRule, ...]:
        return _compiled(self.rules)

    @cached_property
    def _pull_line_rules(self) -> tuple[_PullRule, ...]:
        return _compiled(self.lines.rules if self.lines is not None else ())

    def _read(self, rules: Sequence[Rule], record: Any, external_id: str | None) -> dict[str, Any]:
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        pull = self._pull_rules if rules is self.rules else self._pull_line_rules
        # Runs for every field of every record: a plain key of a dict is one lookup.
        get = record.get if record.__class__ is dict else None
        for rule, key, find, read, custom_name in pull:
            if key is not None and get is not None:
                raw = get(key, MISSING)
            else:
                raw = find(record, MISSING)
            if raw is MISSING or raw is None or raw == "":
                continue
            try:
                value = read(raw)
            except (ValueError, TypeError, ArithmeticError, OverflowError):
                try:
                    value = rule.convert.to_canonical(raw)  # raises ConversionError, in words
                except ConversionError as exc:
                    raise self._error(
                        external_id, f"{rule.canonical} (vendor field {rule.vendor}): {exc}"
                    ) from None
            if value is None:
                continue
            if custom_name is not None:
                custom[custom_name] = value
            else:
                data[rule.canonical] = value
        if custom:
            data["custom"] = custom
        return data

    # --- canonical -> vendor -------------------------------------------------------------------

    def to_vendor(
        self,
        data: Mapping[str, Any],
        *,
        changed: Sequence[str] | None = None,
        creating: bool = False,
    ) -> dict[str, Any]:
        """The vendor payload of a write: writable fields only, and only `changed` ones when
        given (canonical names; "custom" means every mapped custom field). A create leaves
        out None values (it has nothing to clear); an update leaves out create-only fields,
        and a change to one fails the record here, in words, instead of at the vendor on
        every retry."""
        wanted = set(changed) if changed else None
        payload = self._write(self.rules, data, wanted, skip_empty=creating, creating=creating)
        lines = self.lines
        want_lines = wanted is None or "lines" in wanted
        if lines is not None and lines.writable and "lines" in data and want_lines:
            items = [
                self._write(lines.rules, item, None, skip_empty=creating, creating=creating)
                for item in data["lines"] or []
            ]
            put(payload, lines.vendor, items)
        return payload

    def _write(
        self,
        rules: Sequence[Rule],
        data: Mapping[str, Any],
        wanted: set[str] | None,
        *,
        skip_empty: bool,
        creating: bool,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        custom = data.get("custom") or {}
        for rule in rules:
            if not rule.writable or rule.direction not in _PUSH:
                continue
            name = rule.custom_name
            if wanted is not None and not _selected(rule, wanted):
                continue
            if not (creating or rule.updatable):
                if wanted is not None:
                    raise RecordError(
                        f"{rule.canonical}: the vendor keeps {rule.vendor} once the record "
                        "is made; set it back to the vendor's value (the next pull shows it)"
                    )
                continue
            source = custom if name is not None else data
            key = name if name is not None else rule.canonical
            if key not in source or (skip_empty and source[key] is None):
                continue
            try:
                put(payload, rule.vendor, rule.convert.to_vendor(source[key]))
            except ConversionError as exc:
                raise RecordError(f"{rule.canonical}: {exc}") from None
        return payload

    # --- messages ------------------------------------------------------------------------------

    def _error(self, external_id: str | None, what: str) -> RecordError:
        who = f"{self.entity.value} {external_id}" if external_id else f"a {self.entity.value}"
        return RecordError(f"{who}: {what}", external_id=external_id)

    def _explain(self, exc: ValidationError) -> str:
        reasons = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            rules = self.rules
            if loc[0] == "lines" and self.lines is not None:
                rules = self.lines.rules
            field = loc[-1]
            rule = next((r for r in rules if r.canonical == field), None)
            where = ".".join(loc) + (f" (vendor field {rule.vendor})" if rule else "")
            if error["type"] == "missing":
                reasons.append(f"{where} is required but the vendor sent none")
            else:
                shown = repr(error.get("input"))[:60]
                reasons.append(f"{where}: {error['msg'].lower()} (the vendor sent {shown})")
        return "; ".join(reasons)


# A pull rule as the per-record loop reads it: the rule, its vendor path when that is one
# plain key (no dots, not the whole record), a dig of its path split once (paths.digger),
# its converter's read, its custom field name.
_PullRule = tuple[Rule, str | None, Callable[[Any, Any], Any], Callable[[Any], Any], str | None]


def _compiled(rules: Iterable[Rule]) -> tuple[_PullRule, ...]:
    """What `_read` needs of each pull rule, worked out once per map, not per record."""
    return tuple(
        (
            r,
            r.vendor if r.vendor and "." not in r.vendor else None,
            digger(r.vendor),
            r.convert.read,
            r.custom_name,
        )
        for r in rules
        if r.direction in _PULL
    )


def _selected(rule: Rule, wanted: set[str]) -> bool:
    return rule.canonical in wanted or (rule.custom_name is not None and "custom" in wanted)


def _without(rule: Rule, canonical: str, direction: Direction) -> list[Rule]:
    """`rule` minus the direction an override takes over."""
    if rule.canonical != canonical:
        return [rule]
    if direction is Direction.BOTH or rule.direction is direction:
        return []
    if rule.direction is Direction.BOTH:
        keep = Direction.PUSH if direction is Direction.PULL else Direction.PULL
        return [replace(rule, direction=keep)]
    return [rule]


def default_converter(entity: Entity, name: str) -> Converter:
    """The converter a canonical field's type calls for (for overrides of unmapped fields)."""
    types = set(_types(CANONICAL_MODELS[entity].model_fields[name].annotation))
    for cls, converter in (
        (bool, convert.BOOL),
        (dt.datetime, convert.DATETIME_ISO),
        (dt.date, convert.DATE),
        (decimal.Decimal, convert.DECIMAL),
        (int, convert.INT),
        (float, convert.FLOAT),
    ):
        if cls in types:
            return converter
    return convert.TEXT


def _types(annotation: Any) -> Iterable[Any]:
    """The plain types inside Optional[...], unions and Annotated[...]."""
    args = get_args(annotation)
    if not args:
        yield annotation
        return
    if get_origin(annotation) is Annotated:
        args = args[:1]
    for arg in args:
        yield from _types(arg)
