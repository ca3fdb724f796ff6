"""Scalar converters: readers, writers, and round trips (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters import convert
from adapters.convert import ConversionError, Converter

utc_datetimes = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
ms_datetimes = utc_datetimes.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
dates = st.dates(min_value=date(1971, 1, 1), max_value=date(2200, 1, 1))
decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
)
texts = st.text(min_size=1).filter(lambda s: s != "")

ROUND_TRIPS: list[tuple[Converter, st.SearchStrategy]] = [
    (convert.TEXT, texts),
    (convert.INT, st.integers(min_value=-(10**15), max_value=10**15)),
    (convert.INT_TEXT, st.integers(min_value=-(10**15), max_value=10**15)),
    (
        convert.FLOAT,
        st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e15, max_value=1e15),
    ),
    (convert.DECIMAL, decimals),
    (convert.DECIMAL_TEXT, decimals),
    (convert.BOOL, st.booleans()),
    (convert.BOOL_TEXT, st.booleans()),
    (convert.DATETIME_ISO, utc_datetimes),
    (convert.DATETIME_EPOCH_MS, ms_datetimes),
    (convert.DATETIME_ODATA, ms_datetimes),
    (convert.DATETIME_ODOO, utc_datetimes.map(lambda d: d.replace(microsecond=0))),
    (convert.DATE, dates),
    (convert.DATE_EPOCH_MS, dates),
    (convert.DATE_ODATA, dates),
    (convert.REF, st.from_regex(r"\A[0-9A-Za-z]{1,18}\Z")),
    (convert.REF_INT, st.integers(min_value=1, max_value=10**12).map(str)),
    (convert.MANY2ONE, st.integers(min_value=1, max_value=10**9).map(str)),
    (
        convert.choice({"Closed Won": "won", "Closed Lost": "lost"}),
        st.sampled_from(["won", "lost", "open"]),
    ),
]


@pytest.mark.parametrize(
    ("converter", "values"),
    ROUND_TRIPS,
    ids=[c.name + str(i) for i, (c, _) in enumerate(ROUND_TRIPS)],
)
@given(data=st.data())
def test_canonical_values_survive_a_trip_to_the_vendor_and_back(converter, values, data):
    value = data.draw(values)
    assert converter.to_canonical(converter.to_vendor(value)) == value


@given(
    st.one_of(
        st.text(), st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers())
    )
)
def test_reading_anything_either_converts_or_names_the_problem(value):
    for converter in (
        convert.INT,
        convert.DECIMAL,
        convert.BOOL,
        convert.DATETIME_ISO,
        convert.DATE,
        convert.TEXT,
    ):
        outcome = _outcome(converter, value)
        assert outcome == "ok" or outcome.startswith("cannot read ")


def _outcome(converter: Converter, value: object) -> str:
    try:
        converter.to_canonical(value)
    except ConversionError as exc:
        return str(exc)
    return "ok"


@pytest.mark.parametrize(
    ("converter", "vendor", "canonical"),
    [
        (
            convert.DATETIME_ISO,
            "2024-03-01T10:00:00.000+0000",
            datetime(2024, 3, 1, 10, tzinfo=UTC),
        ),
        (
            convert.DATETIME_ISO,
            "2019-10-30T03:30:17.883Z",
            datetime(2019, 10, 30, 3, 30, 17, 883000, tzinfo=UTC),
        ),
        (
            convert.DATETIME_ISO,
            "2024-03-01T10:00:00+05:30",
            datetime(2024, 3, 1, 4, 30, tzinfo=UTC),
        ),
        (convert.DATETIME_ISO, "1709287200000", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        (convert.DATETIME_ISO, 1709287200000, datetime(2024, 3, 1, 10, tzinfo=UTC)),
        (
            convert.DATETIME_ODATA,
            "/Date(1516614510000)/",
            datetime(2018, 1, 22, 9, 48, 30, tzinfo=UTC),
        ),
        (
            convert.DATETIME_ODATA,
            "/Date(1516614510000+0030)/",
            datetime(2018, 1, 22, 9, 48, 30, tzinfo=UTC),
        ),
        (convert.DATETIME_ODOO, "2024-03-01 10:00:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        (convert.DATE, "2024-03-01", date(2024, 3, 1)),
        (convert.DATE, "2024-03-01T23:30:00-05:00", date(2024, 3, 1)),
        (convert.DATE_ODATA, "/Date(1709251200000)/", date(2024, 3, 1)),
        (convert.DECIMAL, "12.50", Decimal("12.50")),
        (convert.DECIMAL, 0.1, Decimal("0.1")),
        (convert.INT, "42", 42),
        (convert.INT, 42.0, 42),
        (convert.BOOL, "true", True),
        (convert.BOOL, 0, False),
        (convert.TEXT, 5, "5"),
        (convert.TEXT, "", None),
        (convert.TEXT, None, None),
        (convert.MANY2ONE, [7, "Azure Interior"], "7"),
        (convert.MANY2ONE, False, None),
        (convert.falsy_null(convert.TEXT), False, None),
        (convert.falsy_null(convert.TEXT), "x", "x"),
        (convert.falsy_null(convert.TEXT), "", None),
        (convert.falsy_null(convert.FLOAT), "2.5", 2.5),
        (convert.falsy_null(convert.DATE), False, None),
    ],
)
def test_vendor_spellings(converter, vendor, canonical):
    assert converter.to_canonical(vendor) == canonical


@pytest.mark.parametrize(
    ("converter", "canonical", "vendor"),
    [
        (
            convert.DATETIME_ISO,
            datetime(2024, 3, 1, 10, tzinfo=timezone(timedelta(hours=1))),
            "2024-03-01T09:00:00Z",
        ),
        (
            convert.DATETIME_ISO,
            "2024-03-01T10:00:00Z",
            "2024-03-01T10:00:00Z",
        ),  # the store's JSON form
        (convert.DATETIME_EPOCH_MS, "2024-03-01T10:00:00Z", 1709287200000),
        (convert.DATETIME_ODOO, "2024-03-01T10:00:00Z", "2024-03-01 10:00:00"),
        (convert.DATE_ODATA, "2024-03-01", "/Date(1709251200000)/"),
        (convert.DECIMAL_TEXT, "12.50", "12.50"),
        (convert.DECIMAL, "12.50", Decimal("12.50")),
        (convert.BOOL_TEXT, True, "true"),
        (convert.REF_INT, "17", 17),
        (convert.MANY2ONE, "17", 17),
        (convert.choice({"Closed Won": "won"}), "won", "Closed Won"),
    ],
)
def test_writers_produce_the_vendors_format(converter, canonical, vendor):
    assert converter.to_vendor(canonical) == vendor


@pytest.mark.parametrize(
    ("converter", "value", "message"),
    [
        (convert.INT, "3.5", "cannot read '3.5' as a whole number"),
        (convert.INT, True, "cannot read True as a whole number"),
        (convert.DECIMAL, "NaN", "cannot read 'NaN' as a number"),
        (convert.DATE, "31/02/2024", "cannot read '31/02/2024' as a date"),
        (convert.BOOL, "maybe", "cannot read 'maybe' as yes/no"),
        (convert.TEXT, {"name": "x"}, "cannot read {'name': 'x'} as text"),
        (convert.choice({"A": "a"}, strict=True), "B", "cannot read 'B' as one of A"),
    ],
)
def test_unreadable_values_are_named(converter, value, message):
    with pytest.raises(ConversionError) as caught:
        converter.to_canonical(value)
    assert str(caught.value) == message


def test_falsy_null_fails_in_the_inner_converters_words():
    for converter in (convert.FLOAT, convert.DATE, convert.REF):
        with pytest.raises(ConversionError) as inner:
            converter.to_canonical([1, 2])
        with pytest.raises(ConversionError) as outer:
            convert.falsy_null(converter).to_canonical([1, 2])
        assert str(outer.value) == str(inner.value)
