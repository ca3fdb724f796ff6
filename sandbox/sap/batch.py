"""OData V2 `$batch`: a multipart/mixed body of retrievals and changesets.

Each part is `Content-Type: application/http` with a whole HTTP request inside
(`GET A_Product('X') HTTP/1.1`, headers, blank line, body), its URL relative to
the service root; a changeset is a nested multipart/mixed of such requests and
runs all-or-nothing. The answer is `202 Accepted`, multipart/mixed, one part per
request part in order: a retrieval's response, or a changeset's nested multipart
of responses; a changeset that fails answers with the failed request's error
alone and leaves nothing behind, while the changesets around it still run.
The $batch request itself carries the CSRF token (and session cookie) for all
its changes. Writes outside a changeset are refused, as Gateway refuses them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import Call, VendorReply
from sandbox.sap.errors import BAD_REQUEST, error_response, fail
from sandbox.sap.keys import KEYED_SEGMENT

MAX_OPERATIONS = 1000  # the sandbox's own cap per $batch
PASSED_ON = ("authorization", "cookie", "x-csrf-token", "sap-client", "accept-language")
Handler = Callable[[Call], Awaitable[Response]]


class _Rollback(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass
class Part:
    """One MIME part: its headers (lower-case names) and body, or its parts if multipart."""

    headers: dict[str, str]
    body: bytes
    parts: list[Part] | None = None

    def is_multipart(self) -> bool:
        return self.parts is not None


_BOUNDARY = re.compile(r'boundary="?([^";\s]+)"?', re.IGNORECASE)


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart/mixed body (nested changesets included). By hand rather
    than with the email package: its parser compiles a pattern per boundary and its
    header policies cost milliseconds a part, and a batch carries hundreds of parts."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise fail(400, BAD_REQUEST, "The $batch body is not multipart/mixed with a boundary")
    delimiter = b"--" + match.group(1).encode()
    found = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removeprefix(b"\n").removesuffix(b"\r\n")
        head, gap, payload = chunk.partition(b"\r\n\r\n")
        if not gap:
            head, _, payload = chunk.partition(b"\n\n")
        headers = _headers(head.decode("latin-1").splitlines())
        kind = headers.get("content-type", "")
        nested = parse_multipart(kind, payload) if kind.lower().startswith("multipart/") else None
        found.append(Part(headers, payload, nested))
    return found


def _headers(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon:
            found[name.strip().lower()] = value.strip()
    return found


def _inner(part: Part) -> tuple[str, str, dict[str, str], bytes]:
    head, gap, body = part.body.partition(b"\r\n\r\n")
    if not gap:
        head, _, body = part.body.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").splitlines()
    words = lines[0].split(" ") if lines else []
    if len(words) < 2:
        raise fail(400, BAD_REQUEST, "A batch part does not start with a request line")
    return words[0].upper(), words[1], _headers(lines[1:]), body.rstrip(b"\r\n")


_KEYED = re.compile(f"^{KEYED_SEGMENT}$", re.DOTALL)


def _route(url: str) -> tuple[dict[str, str], str]:
    """Path parameters for a URL relative to the service root, and its kind."""
    path = url.split("?", 1)[0].strip("/")
    segments = path.split("/") if path else []
    keyed = _KEYED
    decoded = [unquote(s) for s in segments]
    if len(decoded) == 1 and keyed.match(decoded[0]):
        return {"key": decoded[0]}, "entity"
    if len(decoded) == 1:
        return {"entity_set": decoded[0]}, "set"
    if len(decoded) == 2 and keyed.match(decoded[0]):
        return {"key": decoded[0], "nav": decoded[1]}, "nav"
    raise fail(404, BAD_REQUEST, f"Resource not found for segment '{path}'")


def _request(call: Call, method: str, url: str, headers: dict[str, str], body: bytes) -> Request:
    outer = call.request
    params, _kind = _route(url)
    service = str(outer.path_params["service"])
    path_only, _, query = url.partition("?")
    sent = {k: v for k, v in outer.headers.items() if k in PASSED_ON}
    sent.update(headers)
    scope = {
        "type": "http", "method": method, "scheme": outer.url.scheme, "root_path": "",
        "path": f"{outer.url.path.rsplit('/$batch', 1)[0]}/{path_only.lstrip('/')}",
        "query_string": query.encode(), "server": outer.scope.get("server"),
        "client": outer.scope.get("client"), "extensions": {},
        "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
        "path_params": {"service": service, **params},
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def _handler(method: str, url: str) -> Handler:
    from sandbox.sap import handlers

    _params, kind = _route(url)
    table: dict[tuple[str, str], Handler] = {
        ("GET", "set"): handlers.list_set,
        ("POST", "set"): handlers.create,
        ("GET", "entity"): handlers.read,
        ("PATCH", "entity"): handlers.update,
        ("MERGE", "entity"): handlers.update,
        ("PUT", "entity"): handlers.update,
        ("DELETE", "entity"): handlers.delete,
        ("GET", "nav"): handlers.navigate,
    }
    found = table.get((method, kind))
    if found is None:
        raise fail(405, BAD_REQUEST, f"Method '{method}' is not allowed for '{url}'")
    return found


async def _run(call: Call, part: Part) -> Response:
    method, url, headers, body = _inner(part)
    inner = Call(
        _request(call, method, url, headers, body), call.sandbox, call.vendor, call.endpoint
    )
    inner.principal, inner.object = call.principal, None
    try:
        return await _handler(method, url)(inner)
    except VendorReply as reply:
        return reply.response
    finally:
        call.served(inner.records_served)


def _http(response: Response) -> bytes:
    phrase = HTTPStatus(response.status_code).phrase
    lines = [f"HTTP/1.1 {response.status_code} {phrase}"]
    lines += [
        f"{k}: {v}"
        for k, v in response.headers.items()
        if k not in ("content-length", "set-cookie")
    ]
    head = "\r\n".join(lines).encode()
    return head + b"\r\n\r\n" + bytes(response.body)


def _wrap(payload: bytes) -> bytes:
    return (
        b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        + payload
        + b"\r\n"
    )


def _multipart(boundary: str, parts: list[bytes]) -> bytes:
    out = b"".join(f"--{boundary}\r\n".encode() + p for p in parts)
    return out + f"--{boundary}--\r\n".encode()


async def batch(call: Call) -> Response:
    from sandbox.sap.auth import csrf_check

    csrf_check(call)
    content_type = call.request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/mixed"):
        raise fail(400, BAD_REQUEST, "A $batch request is sent as multipart/mixed")
    parts = parse_multipart(content_type, await call.request.body())
    operations = sum(len(p.parts) if p.parts is not None else 1 for p in parts)
    if operations > MAX_OPERATIONS:
        raise fail(400, BAD_REQUEST, f"A $batch takes at most {MAX_OPERATIONS} operations")
    answers: list[bytes] = []
    for part in parts:
        if part.is_multipart():
            answers.append(await _changeset(call, part))
            continue
        method = _inner(part)[0]
        if method != "GET":
            refusal = error_response(
                400, BAD_REQUEST, "Change requests must be sent inside a changeset"
            )
            answers.append(_wrap(_http(refusal)))
            continue
        answers.append(_wrap(_http(await _run(call, part))))
    boundary = f"batch_{secrets.token_hex(8)}"
    return Response(
        _multipart(boundary, answers),
        202,
        headers={"dataserviceversion": "2.0"},
        media_type=f"multipart/mixed; boundary={boundary}",
    )


async def _changeset(call: Call, changeset: Part) -> bytes:
    responses: list[Response] = []
    try:
        with call.tenant.atomic():
            for request in changeset.parts or []:
                response = await _run(call, request)
                if response.status_code >= 400:
                    raise _Rollback(response)
                responses.append(response)
    except _Rollback as failed:
        return _wrap(_http(failed.response))
    boundary = f"changeset_{secrets.token_hex(8)}"
    nested = _multipart(boundary, [_wrap(_http(r)) for r in responses])
    return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n".encode() + nested + b"\r\n"
