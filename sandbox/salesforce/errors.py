"""Salesforce's error bodies: a JSON array of {message, errorCode[, fields]}."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response

from sandbox.core import VendorReply, json_response

SESSION_EXPIRED = "Session expired or invalid"
NOT_FOUND_MESSAGE = "The requested resource does not exist"


def error_response(
    status: int, code: str, message: str, fields: Sequence[str] | None = None
) -> Response:
    body: dict[str, object] = {"message": message, "errorCode": code}
    if fields is not None:
        body["fields"] = list(fields)
    return json_response([body], status)


def fail(status: int, code: str, message: str, fields: Sequence[str] | None = None) -> VendorReply:
    """`raise fail(...)` answers the request with Salesforce's error array."""
    return VendorReply(error_response(status, code, message, fields))


def not_found(message: str = NOT_FOUND_MESSAGE) -> VendorReply:
    return fail(404, "NOT_FOUND", message)


def oauth_error(error: str, description: str, status: int = 400) -> VendorReply:
    return VendorReply(json_response({"error": error, "error_description": description}, status))
