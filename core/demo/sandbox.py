"""Where the demo connections point: the local sandbox (`python -m sandbox`,
started by `toothpick up`) and its documented default tenant ("acme")."""

from __future__ import annotations

from typing import Any

from core.errors import NotFoundError
from core.models import System
from core.settings import Settings

TENANT = "acme"


def sandbox_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.sandbox_port}"


_FORMS: dict[System, dict[str, Any]] = {}


def sandbox_fields(system: System, base_url: str) -> dict[str, Any]:
    """The connection form of `system`, filled in for the sandbox's default tenant."""
    form = _FORMS.get(system)
    if form is None:
        raise NotFoundError(f"No sandbox preset for {system.value} yet.")
    return {name: value.format(base=base_url) if isinstance(value, str) else value
            for name, value in form.items()}  # fmt: skip


def sandbox_preset(system: System, settings: Settings) -> dict[str, Any]:
    """The non-secret values only (what the demo's connect form may show)."""
    from adapters.registry import system_info

    try:
        secret = set(system_info(system).secret_fields)
        values = sandbox_fields(system, sandbox_url(settings))
    except NotFoundError:
        return {}
    return {name: value for name, value in values.items() if name not in secret}
