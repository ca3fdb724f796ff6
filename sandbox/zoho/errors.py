"""Zoho CRM's error bodies: `{"code", "details", "message", "status": "error"}`.

The same four keys appear at the top level for whole-request errors and inside
`data[]` for per-record results of inserts, updates and deletes (see the
examples of Zoho's OpenAPI documents, zoho/crm-oas).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from sandbox.core import VendorReply, json_response

INVALID_TOKEN = ("INVALID_TOKEN", "invalid oauth token")
AUTHENTICATION_FAILURE = ("AUTHENTICATION_FAILURE", "Authentication failed")


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "details": dict(details or {}), "message": message, "status": "error"}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return json_response(error_body(code, message, details), status, headers=headers)


def fail(
    status: int, code: str, message: str, details: Mapping[str, Any] | None = None
) -> VendorReply:
    """`raise fail(...)` answers the request with Zoho's error body."""
    return VendorReply(error_response(status, code, message, details))


def invalid_module(index: int = 0) -> VendorReply:
    return fail(
        400,
        "INVALID_MODULE",
        "the module name given seems to be invalid",
        {"resource_path_index": index},
    )


def invalid_url() -> VendorReply:
    return fail(
        404,
        "INVALID_URL_PATTERN",
        "Please check if the URL trying to access is a correct one",
    )


def invalid_data(message: str, details: Mapping[str, Any] | None = None) -> VendorReply:
    return fail(400, "INVALID_DATA", message, details)


def oauth_error(error: str) -> VendorReply:
    """The accounts server answers refusals with HTTP 200 and an `error` key."""
    return VendorReply(json_response({"error": error}, 200))
