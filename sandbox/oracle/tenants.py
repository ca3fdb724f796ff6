"""The two shipped Oracle Fusion Cloud pods. Credentials are fixed and documented in
sandbox/README.md: the demo and the tests log in with them.

Each pod has an integration user (HTTP Basic, what most Fusion integrations
use) and a confidential application of its identity domain for the OAuth 2.0
client-credentials grant at `/oauth2/v1/token`. Extension fields: items carry
descriptive flexfield segments (in the `ItemDFF` child), accounts App Composer
fields ending in `_c`.
"""

from __future__ import annotations

from sandbox.core import FieldDef, RateLimitConfig, TenantConfig

SCALE = {
    "itemsV2": 200,
    "accounts": 60,
    "salesOrdersForOrderHub": 150,
    "onhandQuantityDetails": 300,
}
# Oracle publishes no per-pod REST quota; budgets only count requests.
_LIMITS = RateLimitConfig(interval_max=1_000_000, interval_ms=1000, daily_max=10_000_000)


def default_tenants() -> list[TenantConfig]:
    return [
        TenantConfig(
            name="acme",
            seed=401,
            description="Fusion SCM + Sales 25A, business unit US1, master organization M1 (USD)",
            credentials={
                "username": "acme.integration",
                "password": "Acme-Fusion-Pass-1",
                "client_id": "acme-fusion-oauth-client",
                "client_secret": "acme-fusion-client-secret",
            },
            scale=SCALE,
            custom_fields={
                "itemsV2": (
                    FieldDef("shelfLifeDays", "integer", label="Shelf Life Days", custom=True),
                ),
                "accounts": (
                    FieldDef(
                        "LoyaltyTier_c",
                        "picklist",
                        label="Loyalty Tier",
                        options=("GOLD", "SILVER", "BRONZE"),
                        custom=True,
                    ),
                ),
            },
            limits=_LIMITS,
            settings={
                "organization_id": 207,
                "organization_code": "M1",
                "business_unit": "US1 Business Unit",
                "currency": "USD",
            },
        ),
        TenantConfig(
            name="globex",
            seed=402,
            description="Fusion SCM + Sales 25A, business unit DE1, master organization DE1 (EUR)",
            credentials={
                "username": "globex.integration",
                "password": "Globex-Fusion-Pass-2",
                "client_id": "globex-fusion-oauth-client",
                "client_secret": "globex-fusion-client-secret",
            },
            scale=SCALE,
            custom_fields={
                "itemsV2": (
                    FieldDef("hazardClass", "string", label="Hazard Class", length=30, custom=True),
                ),
                "accounts": (
                    FieldDef(
                        "CreditRating_c", "string", label="Credit Rating", length=30, custom=True
                    ),
                ),
            },
            limits=_LIMITS,
            settings={
                "organization_id": 300000047274444,
                "organization_code": "DE1",
                "business_unit": "DE1 Business Unit",
                "currency": "EUR",
            },
        ),
    ]
