"""Log exports (CSV and JSON), streamed and redacted, for downloads and the CLI.

CSV cells that a spreadsheet would evaluate (leading `=`, `+`, `-`, `@`, tab, CR) are
prefixed with a single quote (OWASP CSV injection); JSON keeps every value exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping

import orjson

from core.models import LogEntry
from core.redaction import redact, redact_value
from core.schemas import ExportFormat
from core.text_safety import spreadsheet_cell

COLUMNS = (
    "id",
    "time",
    "organisation_id",
    "connection_id",
    "connection_name",
    "system",
    "run_id",
    "entity",
    "operation",
    "level",
    "status",
    "message",
    "duration_ms",
    "records_processed",
    "records_created",
    "records_updated",
    "records_failed",
    "http_status",
    "error_category",
    "metadata",
)


def _row(entry: LogEntry, names: Mapping[str, str]) -> dict[str, object]:
    data = entry.model_dump(mode="json")
    data["connection_name"] = names.get(entry.connection_id or "", "")
    data["message"] = redact(entry.message)
    data["metadata"] = redact_value(data["metadata"])
    return data


def export_logs(
    entries: Iterable[LogEntry], fmt: ExportFormat, names: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Chunks of text; JSON is one array, CSV has a header row and JSON-encoded metadata.

    `names` (connection id -> name) fills each entry's connection_name, so a reader
    of the export sees "HubSpot EU" and not only an id."""
    names = names or {}
    if fmt is ExportFormat.JSON:
        yield "["
        first = True
        for entry in entries:
            yield ("" if first else ",\n") + orjson.dumps(_row(entry, names)).decode()
            first = False
        yield "]\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for count, entry in enumerate(entries, start=1):
        row = _row(entry, names)
        row["metadata"] = orjson.dumps(row["metadata"]).decode()
        writer.writerow({key: spreadsheet_cell(value) for key, value in row.items()})
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
