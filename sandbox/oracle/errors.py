"""Oracle Fusion's error answers, by REST framework version.

Under framework versions 1 to 3 the ADF REST framework answers a failed request
with a plain-text message; from version 4 on with a JSON error document
(`title`, `status`, `detail`, `o:errorCode`, `o:errorDetails`) of media type
`application/vnd.oracle.adf.error+json`. Which version switched the format is
not confirmed in Oracle's Fusion documentation; the JSON shape is the one
Oracle documents for its REST errors elsewhere. The error codes are plausible,
not confirmed per message.
"""

from __future__ import annotations

from starlette.responses import Response

from sandbox.core import VendorReply, json_response

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
ERROR_TYPE = "application/vnd.oracle.adf.error+json"


def error_response(
    status: int,
    message: str,
    version: int,
    *,
    code: str = "",
    path: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    if version < 4:
        return Response(message.encode(), status, headers=headers, media_type="text/plain")
    body = {
        "type": f"http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.{status // 100}",
        "title": TITLES.get(status, "Error"),
        "status": str(status),
        "detail": message,
        "o:errorCode": code or str(status),
        "o:errorDetails": [
            {"detail": message, "o:errorCode": code or str(status), "o:errorPath": path}
        ],
    }
    return json_response(body, status, headers=headers, media_type=ERROR_TYPE)


def fail(status: int, message: str, version: int, *, code: str = "", path: str = "") -> VendorReply:
    return VendorReply(error_response(status, message, version, code=code, path=path))


def unauthorized() -> VendorReply:
    return VendorReply(
        Response(b"", 401, headers={"WWW-Authenticate": 'Basic realm="Fusion Applications"'})
    )


def load_balancer_page(status: int) -> Response:
    title = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out"}[status]
    page = f"<html><head><title>{status} {title}</title></head><body><h1>{title}</h1></body></html>"
    return Response(page.encode(), status, media_type="text/html")
