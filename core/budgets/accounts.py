"""Which vendor account a connection spends, and how much of its day it may spend.

A vendor counts its limits per account (HubSpot per portal, Salesforce per org,
Zoho per organisation, Pipedrive per company), and we cannot ask it which
account a credential belongs to without spending a call. So an account is
named from what the connection holds: its system, the host of its first
address field, and a digest of its identity (the private-app or API token,
else the OAuth client id or the user name). Two connections with the same
token on one HubSpot portal share one budget; two Salesforce orgs behind one
connected app share one too, which errs on the safe side (slower, never a 429).

Daily allowances (calls per day; the connection may set its account's own):
- Salesforce: 100,000 per org per rolling 24 h plus 1,000 per licence (Enterprise);
  developer.salesforce.com "API Request Limits and Allocations".
- HubSpot: 250,000 per account per day (Free/Starter; 625,000 Professional);
  developers.hubspot.com "API usage guidelines and limits".
- Zoho CRM: 50,000 credits per rolling 24 h plus per-user credits (Standard);
  zoho.com/crm/developer/docs/api/v8/api-limits.html.
- Pipedrive counts tokens by endpoint cost, SAP, Oracle and Odoo publish no
  daily call quota: no default, so no cap unless the connection sets one.
We count the day from UTC midnight (`vendor_budget_day_s`); vendors that roll
over 24 h or reset at the account's midnight are approximated by it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import SecretStr

from core.models import Connection, System
from core.schemas import FieldKind, SystemInfo
from core.settings import Settings

DAILY_ALLOWANCE: dict[System, int] = {
    System.SALESFORCE: 100_000,
    System.HUBSPOT: 250_000,
    System.ZOHO: 50_000,
}
_IDENTITY = ("private_app_token", "api_token", "client_id", "username", "user")


def account_key(info: SystemInfo, connection: Connection, secret: Mapping[str, SecretStr]) -> str:
    """`system:host:digest` — no secret in it, safe as a Redis key or a table name part."""
    host = ""
    for form_field in info.form:
        value = connection.config.get(form_field.name) or form_field.default
        if form_field.kind is FieldKind.URL and value:
            host = (urlsplit(str(value)).hostname or "").lower()
            break
    identity = ""
    for name in _IDENTITY:
        given = secret.get(name)
        value = given.get_secret_value() if given is not None else connection.config.get(name)
        if value:
            identity = f"{name}={value}"
            break
    # the organisation too: one organisation never spends or sees another's budget
    scope = f"{connection.organisation_id}|{connection.system.value}|{host}|{identity}"
    digest = hashlib.sha256(scope.encode()).hexdigest()
    return f"{connection.system.value}:{host or '-'}:{digest[:16]}"


def daily_allowance(connection: Connection) -> int | None:
    own = connection.run_limits.daily_allowance
    return own if own is not None else DAILY_ALLOWANCE.get(connection.system)


def daily_share(connection: Connection, settings: Settings) -> float:
    own = connection.run_limits.daily_share
    return own if own is not None else settings.vendor_daily_share


def daily_cap(connection: Connection, settings: Settings) -> int | None:
    """Calls this connection may make per day (None: no allowance known, no cap)."""
    allowance = daily_allowance(connection)
    if allowance is None:
        return None
    return max(1, int(allowance * daily_share(connection, settings)))
