"""The two shipped Pipedrive companies. Credentials are fixed and documented in
sandbox/README.md: an API token (40 hex characters, like a user's personal
token) and an OAuth app's client id/secret with a long-lived refresh token.
"""

from __future__ import annotations

from sandbox.core import FieldDef, RateLimitConfig, TenantConfig
from sandbox.pipedrive.schema import CORRELATED, correlation, custom


def _with_key(
    tenant: str, fields: dict[str, tuple[FieldDef, ...]]
) -> dict[str, tuple[FieldDef, ...]]:
    return {o: (*fields.get(o, ()), correlation(tenant, o)) for o in {*fields, *CORRELATED}}


def _acme() -> TenantConfig:
    return TenantConfig(
        name="acme",
        seed=505,
        description="Professional plan, USD, 80 requests per 2 s per token, 60,000 per day",
        credentials={
            "api_token": "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0",
            "client_id": "b4f1e2a3c5d6e7f8",
            "client_secret": "acme-pipedrive-client-secret",
            "refresh_token": "1234567:8901:acme.pipedrive.sandbox.refresh",
        },
        custom_fields=_with_key(
            "acme",
            {
                "persons": (custom("acme", "persons", "Loyalty tier"),),
                "organizations": (custom("acme", "organizations", "Customer since", "date"),),
                "deals": (custom("acme", "deals", "Discount percent", "number"),),
            },
        ),
        limits=RateLimitConfig(interval_max=80, interval_ms=2000, daily_max=60_000),
        token_ttl_s=3599,
        settings={
            "offset": 0,
            "users_offset": 18_487_520,
            "company_id": 12_882_925,
            "company_domain": "acme-sandbox",
            "currency": "USD",
            "timezone": "America/New_York",
            "plan": "professional",
        },
    )


def _globex() -> TenantConfig:
    return TenantConfig(
        name="globex",
        seed=606,
        description="Essential plan, EUR, 20 requests per 2 s per token, 15,000 per day",
        credentials={
            "api_token": "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c",
            "client_id": "c7d8e9f0a1b2c3d4",
            "client_secret": "globex-pipedrive-client-secret",
            "refresh_token": "7654321:1098:globex.pipedrive.sandbox.refresh",
        },
        custom_fields=_with_key(
            "globex",
            {
                "persons": (custom("globex", "persons", "Preferred channel"),),
                "organizations": (custom("globex", "organizations", "Credit limit", "number"),),
                "deals": (custom("globex", "deals", "Competitor"),),
            },
        ),
        limits=RateLimitConfig(interval_max=20, interval_ms=2000, daily_max=15_000),
        token_ttl_s=3599,
        settings={
            "offset": 7_000_000,
            "users_offset": 22_104_300,
            "company_id": 13_447_101,
            "company_domain": "globex-sandbox",
            "currency": "EUR",
            "timezone": "Europe/Berlin",
            "plan": "essential",
        },
    )


def default_tenants() -> list[TenantConfig]:
    return [_acme(), _globex()]
