"""Shorthands for declaring SAP properties, and the timestamps every document carries.

Timestamps are derived from the record's modification time (which the sandbox
core owns), so that LastChangeDateTime, the ETag and the incremental $filter
always agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.core import Entry
from sandbox.sap.edm import Prop

RO: dict[str, Any] = {"creatable": False, "updatable": False}


def ID(entry: Entry) -> str:
    """The key of a top-level document is its sandbox record id."""
    return entry.id


def midnight(ms: int) -> int:
    return ms - ms % 86_400_000


def etag_stamp(entry: Entry) -> str:
    """The BP's ETag property: its last change as an SAP long timestamp (text)."""
    moment = datetime.fromtimestamp(entry.modified_ms / 1000, UTC)
    return moment.strftime("%Y%m%d%H%M%S") + f".{entry.modified_ms % 1000:03d}0000"


def s(name: str, length: int, label: str = "", **kw: Any) -> Prop:
    return Prop(name, "Edm.String", max_length=length, label=label, **kw)


def dec(name: str, precision: int, scale: int, label: str = "", **kw: Any) -> Prop:
    return Prop(name, "Edm.Decimal", precision=precision, scale=scale, label=label, **kw)


def day(name: str, label: str = "", **kw: Any) -> Prop:
    return Prop(name, "Edm.DateTime", precision=0, display_format="Date", label=label, **kw)


def flag(name: str, label: str = "", **kw: Any) -> Prop:
    return Prop(name, "Edm.Boolean", label=label, **kw)


def key(name: str, length: int, label: str, **kw: Any) -> Prop:
    return Prop(name, "Edm.String", max_length=length, nullable=False, label=label, **kw)


CREATED = day("CreationDate", "Created On", derived=lambda e: midnight(e.created_ms), **RO)
CHANGED_ON = day(
    "LastChangeDate", "Last Changed On", derived=lambda e: midnight(e.modified_ms), **RO
)
CHANGED_AT = Prop(
    "LastChangeDateTime",
    "Edm.DateTimeOffset",
    precision=7,
    label="Time Stamp",
    derived=lambda e: e.modified_ms,
    concurrency=True,
    **RO,
)
