"""Model <-> BSON document conversion shared by every collection module.

Top-level datetime fields are BSON dates, so range queries, sorts, `$dateTrunc`
and the TTL index work on them. BSON dates hold milliseconds: a datetime read
back is truncated to the millisecond and comes back timezone-aware UTC (the
client is opened with `tz_aware=True`). Orderings that could tie within a
millisecond end with a unique key: the time-ordered string id
(`core.clock.new_id`) for logs, runs, conflicts and alerts, exactly like the
SQLite store; for record history an ObjectId `_id` (which the driver assigns in
increasing order within a process), because two changes of one record can
share a millisecond and their order matters.

Everything nested (record data, log metadata, run progress, conflict versions)
is stored in pydantic's JSON spelling, the one the SQLite store writes too, so
both stores hand back the same values: enums as their values, Decimal and
nested datetimes as strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from core.clock import as_utc

Document = dict[str, Any]
M = TypeVar("M", bound=BaseModel)


def jsonable(value: Any) -> Any:
    """A free-form payload in the JSON spelling both stores share."""
    return to_jsonable_python(value, fallback=str)


def to_document(model: BaseModel) -> Document:
    """The model as a document, top-level datetimes as BSON dates."""
    doc: Document = model.model_dump(mode="json")
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, datetime):
            doc[name] = as_utc(value)
    return doc


def from_document(cls: type[M], doc: Mapping[str, Any]) -> M:
    """Rebuild a model, ignoring `_id` and the bookkeeping fields the store adds
    (e.g. `active_connection`)."""
    fields = cls.model_fields
    return cls.model_validate({k: v for k, v in doc.items() if k in fields})
