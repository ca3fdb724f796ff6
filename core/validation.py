"""A pydantic ValidationError told as one line that names the field.

The dashboard, the CLI and the importers all show input errors this way, never as
a traceback or pydantic's multi-line dump.
"""

from __future__ import annotations

from pydantic import ValidationError


def describe_validation(exc: ValidationError) -> str:
    """The first problem of a pydantic error, in words that name the field.

    >>> from pydantic import BaseModel, Field
    >>> class Named(BaseModel):
    ...     name: str = Field(min_length=1, max_length=3)
    >>> try:
    ...     Named(name="toolong")
    ... except ValidationError as exc:
    ...     describe_validation(exc)
    'name: String should have at most 3 characters'
    """
    errors = exc.errors()
    if not errors:
        return str(exc).splitlines()[0]
    first = errors[0]
    parts = [str(part) for part in first.get("loc", ()) if not isinstance(part, int)]
    rows = [part + 1 for part in first.get("loc", ()) if isinstance(part, int)]
    where = " → ".join(part.replace("_", " ") for part in parts) or "value"
    if rows:
        where = f"{where} (row {rows[0]})"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"
