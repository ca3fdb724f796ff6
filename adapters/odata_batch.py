"""OData V2 `$batch` bodies: requests into multipart/mixed, answers back out.

A batch is a list of parts; a part is either one retrieval (GET) or a changeset,
a nested multipart of change requests that the server applies all-or-nothing.
Every request travels as `application/http` with a whole HTTP request inside,
its URL relative to the service root:

    >>> kind, body = encode([[Op("PATCH", "A_Product('X')", {"ProductGroup": "L1"})]])
    >>> kind.startswith("multipart/mixed; boundary=batch_")
    True

The answer has one part per request part, in order: a changeset's nested
multipart of responses, or, when it failed, the one error response that ended it.
Why by hand: no maintained Python library writes OData V2 batches (pyodata has
none), and the format is a few lines of MIME that the stdlib's email parser
would mangle (it re-encodes 8-bit JSON bodies).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from core.errors import MalformedResponseError

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


@dataclass
class Op:
    method: str
    url: str  # relative to the service root: "A_Product('X')", "A_Product?$filter=..."
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return orjson.loads(self.body) if self.body.strip() else None
        except orjson.JSONDecodeError:
            return None


def encode(parts: Sequence[Sequence[Op] | Op]) -> tuple[str, bytes]:
    """A list of changesets (lists of Ops) and retrievals (single GET Ops)."""
    boundary = f"batch_{uuid.uuid4().hex}"
    out = bytearray()
    for part in parts:
        out += f"--{boundary}\r\n".encode()
        if isinstance(part, Op):
            out += _http_part(part)
            continue
        inner = f"changeset_{uuid.uuid4().hex}"
        out += f"Content-Type: multipart/mixed; boundary={inner}\r\n\r\n".encode()
        for op in part:
            out += f"--{inner}\r\n".encode() + _http_part(op)
        out += f"--{inner}--\r\n".encode()
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/mixed; boundary={boundary}", bytes(out)


def _http_part(op: Op) -> bytes:
    lines = [f"{op.method} {op.url} HTTP/1.1", "Accept: application/json"]
    body = b""
    if op.body is not None:
        body = orjson.dumps(op.body)
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in op.headers.items()]
    head = "\r\n".join(lines).encode()
    return (
        b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        + head
        + b"\r\n\r\n"
        + body
        + b"\r\n"
    )


def decode(content_type: str, body: bytes) -> list[list[Answer]]:
    """One list per request part: a changeset's answers (or its one error), a retrieval's."""
    return [
        [_answer(p) for p in _split(_content_type(headers), payload)]
        if _content_type(headers).lower().startswith("multipart/")
        else [_answer(payload)]
        for headers, payload in _split(content_type, body)
    ]


def _content_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "")


def _split(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise MalformedResponseError(f"a $batch answer without a boundary ({content_type!r})")
    delimiter = b"--" + match.group(1).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removeprefix(b"\n").removesuffix(b"\r\n")
        headers, payload = _head(chunk)
        parts.append((headers, payload))
    return parts


def _head(chunk: bytes) -> tuple[dict[str, str], bytes]:
    for gap in (b"\r\n\r\n", b"\n\n"):
        head, found, rest = chunk.partition(gap)
        if found:
            break
    else:
        head, rest = chunk, b""
    headers = {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if value:
            headers[name.strip().lower()] = value.strip()
    return headers, rest


def _answer(payload: bytes | tuple[dict[str, str], bytes]) -> Answer:
    raw = payload[1] if isinstance(payload, tuple) else payload
    status_line, _, rest = raw.partition(b"\n")
    words = status_line.decode("latin-1").split()
    if len(words) < 2 or not words[1].isdigit():
        raise MalformedResponseError("a $batch answer part without an HTTP status line")
    headers, body = _head(rest)
    return Answer(int(words[1]), headers, body.removesuffix(b"\r\n"))
