"""Small HTTP helpers shared by the simulators: orjson responses and body parsing."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"
JSON_UTF8 = "application/json;charset=UTF-8"


def json_response(
    data: Any,
    status: int = 200,
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON_UTF8,
) -> Response:
    return Response(orjson.dumps(data), status_code=status, headers=headers, media_type=media_type)


def empty_response(status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    return Response(b"", status_code=status, headers=headers)


class BodyError(ValueError):
    """The request body is not the JSON (or form) the endpoint needs."""


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        raise BodyError("empty body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BodyError(str(exc)) from None


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic ...` header, or None if it is not one."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password
