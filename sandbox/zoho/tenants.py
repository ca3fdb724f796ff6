"""The two shipped Zoho CRM orgs. Credentials are fixed and documented in
sandbox/README.md because the demo and the tests connect with them.

Zoho has no static API keys for CRM: a client (client id + secret, a "self
client" in the API console) holds a long-lived refresh token and trades it for
one-hour access tokens at the accounts server.
"""

from __future__ import annotations

from sandbox.core import FieldDef, RateLimitConfig, TenantConfig

ID_BASES = {"acme": 4_150_868_000_000_000_000, "globex": 3_652_397_000_000_000_000}


def _credits(edition_base: int, per_user: int, users: int) -> int:
    """API credits per rolling 24 hours: 50,000 + a per-licence amount (Kaizen #93)."""
    return edition_base + per_user * users


def default_tenants() -> list[TenantConfig]:
    return [
        TenantConfig(
            name="acme",
            seed=303,
            description="Enterprise edition org, USD, India timezone, 70,000 API credits per 24 h",
            credentials={
                "client_id": "1000.ACMEZOHOSANDBOXCLIENT01",
                "client_secret": "acme-zoho-client-secret",
                "refresh_token": "1000.acme.zoho.sandbox.refresh.token",
            },
            custom_fields={
                "Contacts": (
                    FieldDef(
                        "Loyalty_Tier",
                        "picklist",
                        label="Loyalty Tier",
                        options=("Bronze", "Silver", "Gold", "Platinum"),
                        custom=True,
                    ),
                ),
                "Accounts": (
                    FieldDef("Customer_Since", "date", label="Customer Since", custom=True),
                    FieldDef(
                        "Region",
                        "picklist",
                        label="Region",
                        options=("AMER", "EMEA", "APAC"),
                        custom=True,
                    ),
                ),
                "Deals": (
                    FieldDef(
                        "Discount_Approved", "boolean", label="Discount Approved", custom=True
                    ),
                ),
            },
            limits=RateLimitConfig(
                interval_max=1_000_000,
                interval_ms=1000,
                daily_max=_credits(50_000, 1_000, 20),
                daily_reset="rolling",
            ),
            token_ttl_s=3600,
            settings={
                "id_base": ID_BASES["acme"],
                "org_id": "60012345678",
                "company": "Acme Corporation",
                "currency": "USD",
                "tz": "+05:30",
                "time_zone": "Asia/Kolkata",
                "edition": "Enterprise",
                "concurrency": 20,
            },
        ),
        TenantConfig(
            name="globex",
            seed=404,
            description="Standard edition org, EUR, Central European time, 51,250 API credits",
            credentials={
                "client_id": "1000.GLOBEXZOHOSANDBOXCLIENT",
                "client_secret": "globex-zoho-client-secret",
                "refresh_token": "1000.globex.zoho.sandbox.refresh.token",
            },
            custom_fields={
                "Contacts": (
                    FieldDef(
                        "Preferred_Channel",
                        "picklist",
                        label="Preferred Channel",
                        options=("Email", "Phone", "WhatsApp"),
                        custom=True,
                    ),
                ),
                "Accounts": (
                    FieldDef("Credit_Limit", "currency", label="Credit Limit", custom=True),
                ),
                "Deals": (
                    FieldDef("Competitor", "string", label="Competitor", length=80, custom=True),
                ),
            },
            limits=RateLimitConfig(
                interval_max=1_000_000,
                interval_ms=1000,
                daily_max=_credits(50_000, 250, 5),
                daily_reset="rolling",
            ),
            token_ttl_s=3600,
            settings={
                "id_base": ID_BASES["globex"],
                "org_id": "20098765432",
                "company": "Globex GmbH",
                "currency": "EUR",
                "tz": "+01:00",
                "time_zone": "Europe/Berlin",
                "edition": "Standard",
                "concurrency": 10,
            },
        ),
    ]
