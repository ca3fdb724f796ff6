"""Log exports: CSV cells a spreadsheet would evaluate are neutralised (OWASP CSV
injection); JSON keeps every hostile string exactly (it is data, not a sheet)."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from core.export import export_logs
from core.models import LogEntry, Operation
from core.schemas import ExportFormat
from tests.support.hostile import FORMULAS, HOSTILE


def _entry(message: str, **metadata: object) -> LogEntry:
    return LogEntry(
        organisation_id="acme",
        operation=Operation.PULL,
        message=message[:4000],
        metadata=dict(metadata),
    )


def _csv(entries: list[LogEntry]) -> list[dict[str, str]]:
    text = "".join(export_logs(entries, ExportFormat.CSV))
    limit = csv.field_size_limit(4 * 1024 * 1024)  # a 1 MB metadata cell, read back
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    finally:
        csv.field_size_limit(limit)


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_cells_are_quoted_in_csv(formula: str) -> None:
    [row] = _csv([_entry(formula)])
    assert row["message"] == "'" + formula


def test_every_text_cell_of_a_csv_export_is_inert() -> None:
    rows = _csv([_entry(text, detail=text) for text in HOSTILE.values()])
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value[:40]


def test_ordinary_values_are_left_alone() -> None:
    [row] = _csv([_entry("Pulled 40 contacts (page 2 - last)")])
    assert row["message"] == "Pulled 40 contacts (page 2 - last)"
    assert row["records_processed"] == "0"


def test_json_keeps_hostile_text_exactly() -> None:
    entries = [_entry(text, detail=text) for text in HOSTILE.values()]
    exported = orjson.loads("".join(export_logs(entries, ExportFormat.JSON)))
    assert [e["message"] for e in exported] == [text[:4000] for text in HOSTILE.values()]
    assert [e["metadata"]["detail"] for e in exported] == list(HOSTILE.values())
