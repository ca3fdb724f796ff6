"""HubSpot's error body: {status, message, correlationId, category[, context, errors]}."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from sandbox.core import VendorReply, json_response


def error_body(category: str, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def error_response(
    status: int, category: str, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    return json_response(error_body(category, message, **extra), status, headers=headers)


def fail(status: int, category: str, message: str, **extra: Any) -> VendorReply:
    """`raise fail(...)` answers with HubSpot's error body."""
    return VendorReply(error_response(status, category, message, **extra))


def validation(message: str, **extra: Any) -> VendorReply:
    return fail(400, "VALIDATION_ERROR", message, **extra)


def not_found(object_id: str) -> VendorReply:
    return fail(
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        context={"id": [object_id]},
    )
