"""SAP Gateway's error answers, and the simulator's renderings of injected faults.

OData errors carry SAP's JSON shape (help.sap.com, "Error Response"):
`{"error": {"code": "<T100 class>/<number>", "message": {"lang", "value"},
"innererror": {"application": {...}, "transactionid", "timestamp",
"Error_Resolution": {...}, "errordetails": [...]}}}`. The T100 numbers used
here are plausible Gateway ones, not confirmed per message. Traffic refused in
front of the Gateway (CSRF, logon, quota) answers as the SAP web stack and SAP
API Management do: plain text, an HTML logon page, or API Management's
`{"fault": ...}` JSON.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from sandbox.core import VendorReply, json_response
from sandbox.core.clock import now_ms

NOT_FOUND = "/IWBEP/CM_MGW_RT/020"
BAD_REQUEST = "/IWBEP/CM_MGW_RT/022"
BAD_OPTION = "/IWBEP/CM_MGW_RT/004"
BAD_PAYLOAD = "/IWBEP/CM_MGW_RT/021"
NOT_ALLOWED = "/IWBEP/CM_MGW_RT/024"
PRECONDITION = "/IWBEP/CM_MGW_RT/045"
RESOLUTION = {
    "SAP_Transaction": 'For backend administrators: use ADT feed reader "SAP Gateway Error '
    'Log" or run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for '
    "entries with the timestamp above for more details",
    "SAP_Note": "See SAP Note 1797736 for error analysis "
    "(https://service.sap.com/sap/support/notes/1797736)",
}


def error_body(
    code: str,
    message: str,
    *,
    service: str = "",
    component: str = "",
    target: str = "",
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    now = datetime.fromtimestamp(now_ms() / 1000, UTC)
    stamp = now.strftime("%Y%m%d%H%M%S") + f".{now.microsecond:06d}0"
    detail = {
        "code": code,
        "message": message,
        "propertyref": "",
        "severity": "error",
        "target": target,
        "transition": False,
    }
    return {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "application": {
                    "component_id": component,
                    "service_namespace": "/SAP/",
                    "service_id": service,
                    "service_version": "0001",
                },
                "transactionid": secrets.token_hex(16).upper(),
                "timestamp": stamp,
                "Error_Resolution": RESOLUTION,
                "errordetails": details if details is not None else [detail],
            },
        }
    }


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    service: str = "",
    component: str = "",
    target: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    body = error_body(code, message, service=service, component=component, target=target)
    return json_response(body, status, headers=headers, media_type="application/json")


def fail(
    status: int,
    code: str,
    message: str,
    *,
    service: str = "",
    component: str = "",
    target: str = "",
) -> VendorReply:
    """`raise fail(...)` answers with SAP's OData error body."""
    return VendorReply(
        error_response(status, code, message, service=service, component=component, target=target)
    )


def csrf_required() -> VendorReply:
    return VendorReply(
        Response(
            b"CSRF token validation failed",
            status_code=403,
            headers={"x-csrf-token": "Required"},
            media_type="text/plain",
        )
    )


def logon_failed(sid: str = "S4H", client: str = "100") -> VendorReply:
    page = (
        "<html><head><title>Logon Error Message</title></head><body>"
        "<h1>Logon failed</h1><p>User authentication failed.</p></body></html>"
    )
    realm = f'Basic realm="SAP NetWeaver Application Server [{sid}/{client}]"'
    return VendorReply(
        Response(page.encode(), 401, headers={"www-authenticate": realm}, media_type="text/html")
    )


def api_management_fault(message: str, code: str) -> Response:
    """SAP API Management's policy refusal (SpikeArrest, Quota): 429, no Retry-After."""
    return json_response(
        {"fault": {"faultstring": message, "detail": {"errorcode": code}}},
        429,
        media_type="application/json",
    )


def gateway_page(status: int) -> Response:
    title = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}[status]
    page = f"<html><head><title>{status} {title}</title></head><body><h1>{title}</h1></body></html>"
    return Response(page.encode(), status, media_type="text/html")
