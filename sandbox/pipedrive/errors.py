"""Pipedrive's error bodies: `{"success": false, "error": ..., "error_info": ...}`.

401s also carry `errorCode`; API v2 adds a machine-readable `code`
(ERR_NOT_FOUND, ERR_SCHEMA_VALIDATION_FAILED...). `data` and
`additional_data` come back null, as Pipedrive sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from sandbox.core import VendorReply, json_response

INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."


def body(message: str, *, code: str | None = None, error_code: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"success": False, "error": message}
    if code is not None:
        out["code"] = code
    if error_code is not None:
        out["errorCode"] = error_code
    out.update(error_info=INFO, data=None, additional_data=None)
    return out


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    error_code: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return json_response(body(message, code=code, error_code=error_code), status, headers=headers)


def fail(status: int, message: str, code: str | None = None) -> VendorReply:
    """`raise fail(...)` answers with Pipedrive's error body."""
    return VendorReply(error_response(status, message, code=code))


def unauthorized() -> VendorReply:
    return VendorReply(error_response(401, "unauthorized access", error_code=401))


def not_found(word: str) -> VendorReply:
    return fail(404, f"{word.capitalize()} not found", "ERR_NOT_FOUND")


def invalid(message: str) -> VendorReply:
    return fail(400, message, "ERR_SCHEMA_VALIDATION_FAILED")


def oauth_error(error: str, description: str, status: int = 400) -> VendorReply:
    return VendorReply(json_response({"error": error, "error_description": description}, status))
