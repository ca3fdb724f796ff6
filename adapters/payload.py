"""Request and response bodies: JSON in (Decimal-exact), JSON out (`Reply`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import requests

from core.errors import MalformedResponseError


@dataclass(frozen=True)
class Reply:
    """A decoded JSON answer: what paginators and adapters read."""

    status: int
    headers: Mapping[str, str]
    body: Any  # None for 204/304 and empty bodies
    url: str


def encode_json(value: Any) -> bytes:
    """JSON for request bodies: Decimal as an exact number, dates as ISO 8601.

    >>> encode_json({"amount": Decimal("12.50")})
    b'{"amount":12.5}'
    """
    return orjson.dumps(value, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal) and value.is_finite():
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def decode_json(response: requests.Response) -> Reply:
    """The JSON body as a Reply; a truncated or invalid body is MalformedResponseError."""
    body: Any = None
    if response.content and response.status_code not in (204, 304):
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise MalformedResponseError(
                f"the answer is not valid JSON ({len(response.content)} bytes; {exc})",
                status=response.status_code,
            ) from None
    return Reply(response.status_code, response.headers, body, response.url or "")
