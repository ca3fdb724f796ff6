"""Converters between vendor values and canonical values, both ways.

Reading is lenient (a DATETIME reads ISO 8601, epoch milliseconds, OData's
`/Date(ms)/` and Odoo's `YYYY-MM-DD HH:MM:SS`); writing produces the one
format the vendor wants, so each vendor picks its writer:

    >>> DATETIME_ODATA.to_canonical("/Date(1516614510000)/")
    datetime.datetime(2018, 1, 22, 9, 48, 30, tzinfo=datetime.timezone.utc)
    >>> DATETIME_ODATA.to_vendor("2018-01-22T09:48:30Z")
    '/Date(1516614510000)/'

`to_vendor` also accepts the JSON form the store keeps (Decimal and dates as
strings). None and "" read as None. A value that cannot be read raises
ConversionError (a ValueError) whose message names the value and the type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from core.clock import as_utc

_ODATA_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ConversionError(ValueError):
    pass


@dataclass(frozen=True)
class Converter:
    name: str  # what a value should be, in words ("a date")
    read: Callable[[Any], Any]
    write: Callable[[Any], Any]

    def to_canonical(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return self._run(self.read, value)

    def to_vendor(self, value: Any) -> Any:
        if value is None:
            return None
        return self._run(self.write, value)

    def _run(self, fn: Callable[[Any], Any], value: Any) -> Any:
        try:
            return fn(value)
        except (ValueError, TypeError, ArithmeticError, OverflowError) as exc:
            raise ConversionError(f"cannot read {_show(value)} as {self.name}") from exc


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- readers --------------------------------------------------------------------------------


def read_text(value: Any) -> str:
    if value.__class__ is str:
        return value  # the common case first
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError("not text")
    return value if isinstance(value, str) else str(value)


def read_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    number = read_decimal(value)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return int(number)


def read_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Decimal(repr(value))
    number = Decimal(value.strip() if isinstance(value, str) else value)
    if not number.is_finite():
        raise InvalidOperation("not a finite number")
    return number


def read_float(value: Any) -> float:
    number = float(read_decimal(value))
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


_TRUE, _FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("not a yes/no value")


def read_datetime(value: Any) -> datetime:
    if value.__class__ is str and len(value) >= 10 and value[4] == "-":
        try:  # ISO 8601 extended (2024-05-01T10:00:00.000+0000), the common case first
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            pass  # the general path below says what is wrong
    if value.__class__ is str and value.startswith("/Date("):  # OData V2 (SAP), twice a record
        match = _ODATA_DATE.match(value)
        if match:
            return _EPOCH + timedelta(milliseconds=int(match.group(1)))
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _EPOCH + timedelta(milliseconds=value)
    if not isinstance(value, str):
        raise TypeError("not a date and time")
    text = value.strip()
    match = _ODATA_DATE.match(text)
    if match:  # the milliseconds are UTC; the offset only says where it was written
        return _EPOCH + timedelta(milliseconds=int(match.group(1)))
    if text.lstrip("-").isdigit():
        return _EPOCH + timedelta(milliseconds=int(text))
    return as_utc(datetime.fromisoformat(text))


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        return date.fromisoformat(value.strip())
    if isinstance(value, str) and "T" in value and not _ODATA_DATE.match(value.strip()):
        return datetime.fromisoformat(value.strip()).date()  # the date as the vendor wrote it
    return read_datetime(value).date()


def _ms(value: datetime) -> int:
    return (as_utc(value) - _EPOCH) // timedelta(milliseconds=1)


def _midnight(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


# --- the converters ------------------------------------------------------------------------

TEXT = Converter("text", read_text, read_text)
INT = Converter("a whole number", read_int, read_int)
INT_TEXT = Converter("a whole number", read_int, lambda v: str(read_int(v)))
FLOAT = Converter("a number", read_float, read_float)
DECIMAL = Converter("a number", read_decimal, read_decimal)  # sent as an exact JSON number
DECIMAL_TEXT = Converter("a number", read_decimal, lambda v: str(read_decimal(v)))  # OData, HubSpot
BOOL = Converter("yes/no", read_bool, read_bool)
BOOL_TEXT = Converter("yes/no", read_bool, lambda v: "true" if read_bool(v) else "false")

DATETIME_ISO = Converter(
    "a date and time", read_datetime, lambda v: read_datetime(v).isoformat().replace("+00:00", "Z")
)
DATETIME_EPOCH_MS = Converter("a date and time", read_datetime, lambda v: _ms(read_datetime(v)))
DATETIME_ODATA = Converter(
    "a date and time", read_datetime, lambda v: f"/Date({_ms(read_datetime(v))})/"
)
DATETIME_ODOO = Converter(
    "a date and time", read_datetime, lambda v: read_datetime(v).strftime("%Y-%m-%d %H:%M:%S")
)
DATE = Converter("a date", read_date, lambda v: read_date(v).isoformat())
DATE_EPOCH_MS = Converter("a date", read_date, lambda v: _ms(_midnight(read_date(v))))
DATE_ODATA = Converter("a date", read_date, lambda v: f"/Date({_ms(_midnight(read_date(v)))})/")

REF = Converter("a record id", read_text, read_text)  # ids the vendor spells as text
REF_INT = Converter("a record id", read_text, read_int)  # Pipedrive, Odoo: numeric ids


def _raw(value: Any) -> Any:
    return value


RAW = Converter("a value", _raw, _raw)  # mapped custom fields travel as the vendor sent them


def _read_many2one(value: Any) -> str | None:
    if value is False:
        return None
    if isinstance(value, list | tuple) and value:
        return read_text(value[0])
    return read_text(value)


MANY2ONE = Converter("a linked record", _read_many2one, read_int)
"""Odoo's `[id, "display name"]` (or False) read as the id's text; written as the int id."""


def falsy_null(converter: Converter) -> Converter:
    """Odoo sends False for an empty non-boolean field; read that as None.

    Reads through `converter.read` (what `converter.to_canonical` does after its own
    empty check, here made first): every field of every Odoo record passes this way."""
    read = converter.read

    def falsy_read(value: Any) -> Any:
        if value is False or value is None or value == "":
            return None
        return read(value)  # a failure is put in words by this Converter's to_canonical

    return Converter(converter.name, falsy_read, converter.write)


def choice(vendor_to_canonical: Mapping[str, str], *, strict: bool = False) -> Converter:
    """Vendor codes to canonical words and back (`{"Closed Won": "won"}`); unknown values
    pass through unchanged unless `strict`."""
    back = {v: k for k, v in vendor_to_canonical.items()}

    def read(value: Any) -> str:
        key = read_text(value)
        if key in vendor_to_canonical:
            return vendor_to_canonical[key]
        if strict:
            raise ValueError("not a known value")
        return key

    def write(value: Any) -> str:
        key = read_text(value)
        if key in back:
            return back[key]
        if strict:
            raise ValueError("not a known value")
        return key

    return Converter("one of " + ", ".join(sorted(vendor_to_canonical)), read, write)
