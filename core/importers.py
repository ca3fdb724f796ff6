"""Reading migration files row by row, with the line (or entry) each row came from.

A bad row never stops the others: readers yield (line, row) pairs and the
callers report problems by line. Formats: JSON (an array of objects), JSON
Lines, and CSV with a header row.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from core.errors import InvalidInputError

Row = dict[str, Any]
MAX_FILE_BYTES = 512 * 1024 * 1024


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        return "csv"
    raise InvalidInputError(
        f"{path.name}: unknown file type {suffix or '(none)'}; use .json, .jsonl or .csv",
        field="file",
    )


def read_rows(path: Path) -> Iterator[tuple[int, Row | InvalidInputError]]:
    """(line number, row or the problem with that line). CSV/JSONL lines count from 1
    including the header; JSON arrays are numbered by entry."""
    if not path.is_file():
        raise InvalidInputError(f"{path}: no such file", field="file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInputError(f"{path.name}: larger than 512 MiB; split it", field="file")
    kind = _format(path)
    if kind == "json":
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InvalidInputError(f"{path.name}: not valid JSON ({exc})", field="file") from None
        if not isinstance(data, list):
            raise InvalidInputError(f"{path.name}: expected a JSON array of objects", field="file")
        for index, item in enumerate(data, start=1):
            yield index, item if isinstance(item, dict) else InvalidInputError("not an object")
        return
    if kind == "jsonl":
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    item = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    yield number, InvalidInputError(f"not valid JSON ({exc})")
                    continue
                yield number, item if isinstance(item, dict) else InvalidInputError("not an object")
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise InvalidInputError(f"{path.name}: the CSV file has no header row", field="file")
        for row in reader:
            line = reader.line_num
            if None in row:
                yield line, InvalidInputError("more cells than header columns")
                continue
            yield line, {k.strip(): v for k, v in row.items() if k and v not in (None, "")}


def decode_json_cell(value: Any, name: str) -> Any:
    """CSV cells that carry JSON (metadata, config) are decoded; JSON input passes through."""
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidInputError(f"{name}: not valid JSON", field=name) from None
    return value


def stable_row_id(row: Row) -> str:
    """A deterministic id for a row without one, so re-importing a file adds nothing."""
    digest = hashlib.blake2b(orjson.dumps(row, option=orjson.OPT_SORT_KEYS), digest_size=13)
    return "imp" + digest.hexdigest()[3:]
