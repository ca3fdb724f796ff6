"""The shipped Odoo databases. Credentials are fixed and documented (sandbox/README.md)
because the demo, the tests and customers' developers log in with them.

acme runs Odoo 17.0 (XML-RPC and JSON-RPC), globex 19.0 (adds /json/2 with API
keys; XML-RPC and JSON-RPC still answer, as deprecated endpoints do until 22),
initech 16.0 (the last version with the `done` order state).
"""

from __future__ import annotations

from sandbox.core import FieldDef, RateLimitConfig, TenantConfig

API_KEYS = {  # 160-bit keys, 40 hex digits, as Preferences > Account Security makes them
    "acme": "5c1f0a8e2b7d4c9a6e3f1b8d0c7a2e5f9b4d6a1c",
    "globex": "9e2d7b4a1f6c3e8d0b5a2f7c4e9d1a6b3f8c0e5d",
    "initech": "3b8e1d6a9c4f2e7b0d5a8c3f6e1b9d4a7c2f0e8b",
}

# Odoo has no API rate limit of its own; budgets are counted for the daily_limit fault.
_LIMITS = RateLimitConfig(interval_max=1_000_000, interval_ms=1000, daily_max=1_000_000)


def _odoo(
    name: str,
    seed: int,
    version: int,
    *,
    company: str,
    currency: str,
    description: str,
    scale: dict[str, int],
    custom: dict[str, tuple[FieldDef, ...]],
) -> TenantConfig:
    return TenantConfig(
        name=name,
        seed=seed,
        description=description,
        credentials={
            "database": name,
            "login": f"api@{name}.example",
            "password": f"{name}-odoo-password",
            "api_key": API_KEYS[name],
        },
        scale=scale,
        custom_fields=custom,
        limits=_LIMITS,
        token_ttl_s=7 * 86_400,  # web sessions (cookie) last a week in Odoo
        settings={
            "version": version,
            "seed": seed,
            "company": company,
            "currency": currency,
            "login": f"api@{name}.example",
            "user_name": "Integration Bot",
        },
    )


def default_tenants() -> list[TenantConfig]:
    return [
        _odoo(
            "acme",
            301,
            17,
            company="Acme Corporation",
            currency="USD",
            description="Odoo 17.0, USD; XML-RPC / JSON-RPC; custom x_loyalty_tier, "
            "x_shelf_life_days",
            scale={"res.partner": 300, "product.product": 200, "sale.order": 150},
            custom={
                "res.partner": (
                    FieldDef(
                        "x_loyalty_tier",
                        "picklist",
                        label="Loyalty Tier",
                        options=("bronze", "silver", "gold"),
                        custom=True,
                    ),
                ),
                "product.product": (
                    FieldDef(
                        "x_shelf_life_days", "integer", label="Shelf Life (days)", custom=True
                    ),
                ),
            },
        ),
        _odoo(
            "globex",
            302,
            19,
            company="Globex GmbH",
            currency="EUR",
            description="Odoo 19.0, EUR; /json/2 with API keys (XML-RPC deprecated but on); "
            "custom x_studio_credit_limit, x_studio_channel",
            scale={"res.partner": 250, "product.product": 150, "sale.order": 120},
            custom={
                "res.partner": (
                    FieldDef(
                        "x_studio_credit_limit", "currency", label="Credit Limit", custom=True
                    ),
                ),
                "sale.order": (
                    FieldDef(
                        "x_studio_channel",
                        "picklist",
                        label="Sales Channel",
                        options=("web", "phone", "partner"),
                        custom=True,
                    ),
                ),
            },
        ),
        _odoo(
            "initech",
            303,
            16,
            company="Initech LLC",
            currency="USD",
            description="Odoo 16.0, USD; XML-RPC / JSON-RPC; sales orders can be 'done'",
            scale={"res.partner": 120, "product.product": 80, "sale.order": 60},
            custom={},
        ),
    ]
