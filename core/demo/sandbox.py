"""Where the demo connections point: the local sandbox (`toothpick sandbox`, started
by `toothpick up`) and its default tenant "acme", whose credentials sandbox/README.md
documents. `{http}` and `{tls}` stand for the sandbox's plain and TLS addresses."""

from __future__ import annotations

from typing import Any

from core.errors import ConfigError, NotFoundError
from core.models import System
from core.settings import Settings

TENANT = "acme"

_FORMS: dict[System, dict[str, Any]] = {
    System.SAP: {
        "base_url": "{http}",
        "auth_method": "basic",
        "username": "TOOTHPICK_ACME_COMM",
        "password": "Acme-S4HC-Comm-Password-1",
    },
    System.ODOO: {
        "url": "{http}/odoo/acme",
        "database": "acme",
        "login": "api@acme.example",
        "api_key": "5c1f0a8e2b7d4c9a6e3f1b8d0c7a2e5f9b4d6a1c",
    },
    System.ORACLE: {
        "base_url": "{http}",
        "auth_method": "basic",
        "username": "acme.integration",
        "password": "Acme-Fusion-Pass-1",
    },
    System.SALESFORCE: {
        "login_url": "{tls}",  # Salesforce speaks https only; `up` trusts the sandbox's CA
        "client_id": "3MVG9acme.sandbox.consumer.key",
        "client_secret": "acme-sf-consumer-secret",
        "refresh_token": "5Aep861acme.sandbox.refresh.token",
        "batch_size": 200,
    },
    System.HUBSPOT: {
        "base_url": "{http}",
        "private_app_token": "pat-na1-acme0000-0000-4000-8000-000000000001",
    },
    System.ZOHO: {
        "accounts_url": "{http}",
        "client_id": "1000.ACMEZOHOSANDBOXCLIENT01",
        "client_secret": "acme-zoho-client-secret",
        "refresh_token": "1000.acme.zoho.sandbox.refresh.token",
    },
    System.PIPEDRIVE: {
        "base_url": "{http}",
        "api_token": "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0",
    },
}


def sandbox_urls(settings: Settings) -> dict[str, str]:
    return {
        "http": f"http://127.0.0.1:{settings.sandbox_port}",
        "tls": f"https://127.0.0.1:{settings.sandbox_tls_port}",
    }


def sandbox_fields(system: System, settings: Settings) -> dict[str, Any]:
    """The connection form of `system`, filled in for the sandbox's default tenant."""
    form = _FORMS.get(system)
    if form is None:
        raise NotFoundError(f"the sandbox has no {system.value} preset yet")
    urls = sandbox_urls(settings)
    return {
        name: value.format(**urls) if isinstance(value, str) else value
        for name, value in form.items()
    }


def refuse_in_production(settings: Settings, what: str) -> None:
    """Demo data and the vendor sandbox never run in production: one line saying so."""
    if settings.is_production:
        raise ConfigError(f"{what} is not available in production (TOOTHPICK_ENV=production).")


def sandbox_preset(system: System, settings: Settings) -> dict[str, Any]:
    """The non-secret values only (what the demo's connect form may show); none in
    production, where the sandbox does not run."""
    from adapters.registry import system_info

    if settings.is_production:
        return {}

    try:
        secret = set(system_info(system).secret_fields)
        values = sandbox_fields(system, settings)
    except NotFoundError:
        return {}
    return {name: value for name, value in values.items() if name not in secret}
