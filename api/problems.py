"""Every error answer is RFC 9457 problem details (`application/problem+json`).

One shape for validation errors, domain errors, unknown routes and crashes;
never a stack trace, never an input value (it may be a secret).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    AlreadyExistsError,
    FailureCategory,
    InvalidInputError,
    NotFoundError,
    RunAlreadyActiveError,
    ToothpickError,
)

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    502: "Vendor error",
    503: "Unavailable",
}
_BY_CATEGORY = {
    FailureCategory.CONFIG: 422,
    FailureCategory.DATA: 422,
    FailureCategory.TRANSIENT: 503,
    FailureCategory.VENDOR: 502,
    FailureCategory.INTERNAL: 500,
}


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, plus `errors` naming each invalid field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None
    run_id: str | None = None


def problem(
    status: int,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = Problem(
        title=_TITLES.get(status, "Error"), status=status, detail=detail, instance=instance, **extra
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE,
        headers=headers,
    )  # fmt: skip


def _status_of(exc: ToothpickError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, AlreadyExistsError | RunAlreadyActiveError):
        return 409
    return _BY_CATEGORY.get(exc.category, 500)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ToothpickError)
    status = _status_of(exc)
    if status >= 500 and exc.category is FailureCategory.INTERNAL:
        log.error("internal error on %s", request.url.path, exc_info=exc)
        return problem(
            status, "The hub failed to answer; it was logged.", instance=request.url.path
        )
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidInputError) and exc.field:
        extra["errors"] = [FieldProblem(field=exc.field, message=str(exc))]
    if isinstance(exc, RunAlreadyActiveError):
        extra["run_id"] = exc.run_id
    return problem(status, str(exc), instance=request.url.path, **extra)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(
            field=".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body",
            message=str(error.get("msg", "invalid")),
        )
        for error in exc.errors()[:20]
    ]
    first = errors[0] if errors else None
    detail = f"{first.field}: {first.message}" if first else "The request is invalid."
    return problem(422, detail, instance=request.url.path, errors=errors)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 401:
        detail = None  # an authentication failure says nothing about why
    headers = dict(exc.headers) if exc.headers else None
    return problem(exc.status_code, detail, instance=request.url.path, headers=headers)


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return problem(500, "The hub failed to answer; it was logged.", instance=request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ToothpickError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _crash)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": _TITLES[status]}
    for status in (401, 403, 404, 409, 413, 422, 429)
}
