"""Reading migration files row by row, with the line (or entry) each row came from.

A bad row never stops the others: readers yield (line, row) pairs and the
callers report problems by line. Formats: JSON (an array of objects), JSON
Lines, and CSV with a header row.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from core.errors import InvalidInputError

Row = dict[str, Any]
MAX_FILE_BYTES = 512 * 1024 * 1024
_SURROGATE = re.compile("[\udc80-\udcff]")


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
    yield from _csv_rows(path)


def _csv_rows(path: Path) -> Iterator[tuple[int, Row | InvalidInputError]]:
    """CSV rows; a line that is not UTF-8 or that the csv module refuses (a cell over
    its 131,072-character limit, a stray quote) is reported and the reading goes on.

    Bytes that are not UTF-8 are read as surrogate escapes so that one bad line does
    not stop the file; a row carrying any is refused as a whole.
    """
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InvalidInputError(
                f"{path.name}: unreadable header row ({exc})", field="file"
            ) from None
        if not header or _has_bad_bytes(header):
            raise InvalidInputError(
                f"{path.name}: the CSV file has no readable UTF-8 header row", field="file"
            )
        names = [name.strip() for name in header]
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, InvalidInputError(f"unreadable CSV line ({exc})")
                continue
            line = reader.line_num
            if not cells:
                continue
            if _has_bad_bytes(cells):
                yield line, InvalidInputError("not valid UTF-8 text")
            elif len(cells) > len(names):
                yield line, InvalidInputError("more cells than header columns")
            else:
                yield line, {k: v for k, v in zip(names, cells, strict=False) if k and v != ""}


def _has_bad_bytes(cells: list[str]) -> bool:
    return any(_SURROGATE.search(cell) for cell in cells)


def decode_json_object(value: Any, name: str) -> dict[str, Any]:
    """A cell that carries a JSON object (metadata, config): CSV cells are decoded, JSON
    input passes through; anything but an object is refused naming the field."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidInputError(f"{name}: not valid JSON", field=name) from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"{name}: must be an object of name: value", field=name)
    return value


def stable_row_id(organisation_id: str, row: Row) -> str:
    """A deterministic id for an imported row, so re-importing a file adds nothing.

    Log ids are global in the store, so the organisation is part of the id: a file's
    own ids ("1", "2") imported by two organisations make two sets of entries.
    """
    payload = orjson.dumps(
        [organisation_id, row], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str
    )
    return "imp" + hashlib.blake2b(payload, digest_size=13).hexdigest()[3:]


def same_organisation(named: Any, organisation_id: str) -> None:
    """An import acts for the organisation that runs it: a row naming another is refused
    (never created there, and the other organisation's existence is not revealed)."""
    if named in (None, "") or str(named).strip() == organisation_id:
        return
    raise InvalidInputError(
        f"organisation: this import acts for {organisation_id!r}; the row names another "
        "organisation, so it was not imported",
        field="organisation",
    )
