"""validate_canonical: its plain path (values already of the field's type) answers exactly
what the model answers, and everything else still goes through the model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.entities import _PLAIN, CANONICAL_MODELS, LineItem, validate_canonical
from core.models import Entity, UtcDatetime


def by_model(entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """What validate_canonical answered before it had a plain path."""
    return CANONICAL_MODELS[entity].model_validate(data).model_dump(mode="json")


def same_bytes(a: Any, b: Any) -> bool:
    """Equal as the store writes them: the same keys in the same order, the same values of
    the same types (repr tells "1.10" from Decimal("1.10") and 1 from 1.0; orjson cannot
    write the integers past 64 bits that hypothesis draws)."""
    return repr(a) == repr(b)


values = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=2, min_value=-(10**12), max_value=10**12),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.integers(), max_size=2),
)


@st.composite
def mapped(draw: st.DrawFn) -> tuple[Entity, dict[str, Any]]:
    entity = draw(st.sampled_from(list(CANONICAL_MODELS)))
    names = [*CANONICAL_MODELS[entity].model_fields, "not_a_field"]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return entity, {name: draw(values) for name in chosen}


PLAIN_VALUES: dict[Any, st.SearchStrategy[Any]] = {  # what the converters hand over, by type
    str | None: st.text(),
    bool | None: st.booleans(),
    int | None: st.integers(),
    float | None: st.floats(allow_nan=False, allow_infinity=False),
    Decimal | None: st.decimals(allow_nan=False, allow_infinity=False)
    | st.floats(allow_nan=False, allow_infinity=False),  # Odoo maps amounts as floats
    date | None: st.dates(),
    UtcDatetime | None: st.datetimes(timezones=st.just(UTC)),
}
LINE_VALUES = st.fixed_dictionaries(
    {},
    optional={
        name: st.none() | PLAIN_VALUES[info.annotation]
        for name, info in LineItem.model_fields.items()
    },
)
PLAIN_VALUES[list[LineItem]] = st.lists(LINE_VALUES, max_size=3)


@st.composite
def converted(draw: st.DrawFn) -> tuple[Entity, dict[str, Any]]:
    """Records as the converters produce them: every value of its field's own type."""
    entity = draw(st.sampled_from(list(CANONICAL_MODELS)))
    data: dict[str, Any] = {}
    for name, info in CANONICAL_MODELS[entity].model_fields.items():
        plain = PLAIN_VALUES.get(info.annotation)
        if plain is not None and draw(st.booleans()):
            data[name] = draw(plain if info.default_factory else st.none() | plain)
    return entity, data


@settings(max_examples=3000, deadline=None)
@given(converted())
def test_converted_records_get_the_models_answer(case: tuple[Entity, dict[str, Any]]) -> None:
    entity, data = case
    assert same_bytes(validate_canonical(entity, data), by_model(entity, data))


@settings(max_examples=3000, deadline=None)
@given(mapped())
def test_any_input_gets_the_models_answer(case: tuple[Entity, dict[str, Any]]) -> None:
    entity, data = case
    try:
        expected: dict[str, Any] | list[Any] = by_model(entity, data)
    except ValidationError as exc:
        expected = exc.errors()
    try:
        answer: dict[str, Any] | list[Any] = validate_canonical(entity, data)
    except ValidationError as exc:
        answer = exc.errors()
    assert same_bytes(answer, expected)


@pytest.mark.parametrize(
    ("entity", "data"),
    [
        (Entity.CONTACT, {"first_name": "Ana", "email": "ana@example.com", "title": None}),
        (Entity.CONTACT, {}),
        (Entity.ACCOUNT, {"name": "Acme", "employees": 120}),
        (Entity.PRODUCT, {"sku": "A-1", "price": Decimal("1E+2"), "active": False}),
        (Entity.PRODUCT, {"price": Decimal("1764.610"), "currency": "EUR"}),
        (Entity.PRODUCT, {"price": Decimal("-0")}),
        (Entity.PRODUCT, {"price": 19.99}),  # Odoo's amounts are floats
        (Entity.PRODUCT, {"price": 1e16}),
        (Entity.PRODUCT, {"price": -0.0}),
        (Entity.OPPORTUNITY, {"probability": 0.35, "close_date": date(1, 1, 1)}),
        (Entity.OPPORTUNITY, {"amount": Decimal("123456789012345678901234567890.5")}),
        (Entity.ORDER, {"number": "SO-1", "order_date": date(2024, 2, 29)}),
        (Entity.QUOTE, {"valid_until": date(9999, 12, 31), "total_amount": Decimal("0.000001")}),
        (Entity.ACTIVITY, {"subject": "Call", "done": True, "due_at": None}),
        (Entity.ACTIVITY, {"due_at": datetime(2024, 1, 2, 3, 4, 5, 120, tzinfo=UTC)}),
        (Entity.ORDER, {"lines": [{"sku": "A", "quantity": Decimal("2")}, {}]}),
    ],
)
def test_plain_records_match_the_model(entity: Entity, data: dict[str, Any]) -> None:
    assert same_bytes(validate_canonical(entity, data), by_model(entity, data))


@pytest.mark.parametrize(
    ("entity", "data"),
    [
        (Entity.ACCOUNT, {"employees": True}),  # a bool is no count: the model refuses it
        (Entity.ACCOUNT, {"employees": "12"}),  # text the model converts
        (Entity.OPPORTUNITY, {"probability": 1}),  # an int the model makes 1.0
        (Entity.OPPORTUNITY, {"probability": float("inf")}),  # the model dumps null
        (Entity.ORDER, {"order_date": datetime(2024, 1, 2, tzinfo=UTC)}),  # a midnight: a date
        (Entity.ORDER, {"lines": [{"sku": "A", "quantity": "2"}]}),  # text for a number
        (Entity.ORDER, {"lines": ({"sku": "A"},)}),  # a tuple
        (Entity.ACTIVITY, {"due_at": datetime(2024, 1, 2, 3, 4)}),  # naive: the model adds UTC
        (Entity.ACTIVITY, {"due_at": "2024-01-02T03:04:05+02:00"}),
        (Entity.CONTACT, {"custom": {"tier": "gold"}}),
    ],
)
def test_values_of_another_type_go_through_the_model(entity: Entity, data: dict[str, Any]) -> None:
    assert same_bytes(validate_canonical(entity, data), by_model(entity, data))


@pytest.mark.parametrize(
    ("entity", "data"),
    [
        (Entity.CONTACT, {"first_name": "Ana", "nickname": "A"}),  # unknown field
        (Entity.CONTACT, {"custom": None}),
        (Entity.ORDER, {"lines": None}),
        (Entity.ORDER, {"lines": [{"sku": "A", "colour": "red"}]}),  # unknown line field
        (Entity.ACCOUNT, {"employees": "many"}),
        (Entity.PRODUCT, {"price": float("nan")}),
    ],
)
def test_what_the_model_refuses_is_still_refused(entity: Entity, data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        validate_canonical(entity, data)


def test_the_empty_defaults_are_fresh_each_time() -> None:
    first = validate_canonical(Entity.ORDER, {"number": "1"})
    first["custom"]["x"] = 1
    first["lines"].append({})
    assert validate_canonical(Entity.ORDER, {"number": "2"})["custom"] == {}
    assert validate_canonical(Entity.ORDER, {"number": "2"})["lines"] == []


def test_every_field_but_custom_has_a_plain_path() -> None:
    """A new field of a type the plain path does not know would send every record of its
    entity through the model: slower, silently."""
    for entity, fields in _PLAIN.items():
        model_only = [
            name for name, (plain, _) in fields.items() if plain.__name__ == "_model_only"
        ]
        assert model_only == ["custom"], entity
